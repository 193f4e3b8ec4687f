/**
 * `/remove title:<autocomplete>`: takes a paper added with `/add` out of the collection and
 * rebuilds the index. Papers from the collection's own files are not removable from Discord (the
 * reply says so and how an operator can). For the same members as `/add`.
 */
import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import fuzzysort from 'fuzzysort';
import { paperIdForTitle } from '../src/corpus/added-papers.js';
import { deferThenWork, type Command } from '../src/discord/command.js';
import { LIMITS, escapeMarkdown, textPayload, trimText } from '../src/discord/format.js';
import { UserError } from '../src/errors.js';

const plain = (text: string, max = 300) => trimText(escapeMarkdown(text.replace(/\s+/g, ' ')), max);

export default {
  data: new SlashCommandBuilder()
    .setName('remove')
    .setDescription('Librarians: remove a paper that was added with /add.')
    .addStringOption((o) => o.setName('title').setDescription('Start typing the title of a paper added with /add').setRequired(true).setAutocomplete(true).setMaxLength(300))
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild),

  async execute(interaction, context) {
    const editor = context.collection;
    if (!editor) throw new UserError('Removing papers is not available on this bot.');
    editor.requireEditor(interaction);
    const value = interaction.options.getString('title', true).trim();
    if (!value) throw new UserError('Give the title of a paper added with /add (start typing and pick one from the list).');
    const added = editor.added.list();
    // A pick from the list carries the paper id; typed text is matched against the added titles.
    const target =
      added.find((p) => paperIdForTitle(p.title) === value) ??
      added.find((p) => paperIdForTitle(p.title) === paperIdForTitle(value)) ??
      fuzzysort.go(value, added, { key: 'title', limit: 1, threshold: 0.5 })[0]?.obj;
    if (!target) {
      const shipped = context.litbot.paperById(value) ?? context.litbot.lookup(value, 1).map((m) => context.litbot.paperById(m.paperId))[0];
      if (shipped && shipped.sources.every((s) => !s.file.endsWith('added.jsonl'))) {
        const file = shipped.sources[0]?.file.replace(/^.*[\\/]/, '');
        throw new UserError(
          `“${plain(shipped.title)}” is part of the collection’s own files${file ? ` (${plain(file, 100)})` : ''}, not added with /add, so it cannot be removed from Discord. ` +
            'Whoever runs the bot can take it out of that file and run npm run index.',
        );
      }
      throw new UserError(`No paper added with /add matches “${plain(value, 100)}”. Pick one from the list as you type.`);
    }
    await deferThenWork(interaction, context, { ephemeral: true });
    const { removed, stillListed } = await editor.remove(paperIdForTitle(target.title));
    context.logger.info({ title: removed.title }, 'paper removed from Discord');
    const note = stillListed
      ? ` It stays in the collection because ${plain(stillListed.sources[0]?.file.replace(/^.*[\\/]/, '') ?? 'another file', 100)} lists it too.`
      : ' It is no longer used in answers.';
    await interaction.editReply(textPayload(`Removed: ${plain(removed.title)}.${note}`));
  },

  async autocomplete(interaction, context) {
    const added = context.collection?.added.list() ?? [];
    const typed = interaction.options.getFocused().trim();
    const picked = typed ? fuzzysort.go(typed, added, { key: 'title', limit: LIMITS.choices }).map((r) => r.obj) : [...added].reverse();
    await interaction.respond(picked.slice(0, LIMITS.choices).map((p) => ({ name: trimText(p.title.replace(/\s+/g, ' '), LIMITS.choiceName), value: paperIdForTitle(p.title) })));
  },
} satisfies Command;
