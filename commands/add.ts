/**
 * `/add source:<arXiv id or link>`: looks the paper up on arXiv and shows a private preview with
 * Confirm and Cancel; Confirm adds it to the collection, rebuilds the index and says when the
 * paper is answerable. `/add` with no source opens a form (title, abstract, link) for papers that
 * are not on arXiv. For members with Manage Server, or the `LIBRARIAN_ROLE_ID` role.
 */
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  InteractionContextType,
  MessageFlags,
  ModalBuilder,
  PermissionFlagsBits,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
  type APIEmbed,
  type Interaction,
} from 'discord.js';
import { SUBMISSION_LIMITS, type Submission } from '../src/corpus/added-papers.js';
import { StaleButtonError } from '../src/discord/button-ids.js';
import type { CollectionEditor } from '../src/discord/collection-editor.js';
import { customId, deferThenWork, type Command, type CommandContext } from '../src/discord/command.js';
import { LIMITS, NO_MENTIONS, escapeMarkdown, formatPaper, trimText, type Payload } from '../src/discord/format.js';
import { UserError } from '../src/errors.js';

const COLOR = 0x4f6bed;
/** The tokens `CollectionEditor.stage` hands out: 12 hex digits. */
const TOKEN = /^[0-9a-f]{12}$/;

function editorOf(context: CommandContext): CollectionEditor {
  if (!context.collection) throw new UserError('Adding papers is not available on this bot.');
  return context.collection;
}

/** Who added it, as stored: the Discord user id and the name shown at the time. */
function addedBy(interaction: Interaction): { id: string; name: string } {
  return { id: interaction.user.id, name: interaction.user.globalName ?? interaction.user.username };
}

/** Plain text on one line, escaped, within `max`. */
function plain(text: string, max: number): string {
  return trimText(escapeMarkdown(text.replace(/\s+/g, ' ')), max);
}

/** The private preview of a paper about to be added, with Confirm and Cancel. */
export function formatPreview(submission: Submission, token: string): Payload {
  const fields: NonNullable<APIEmbed['fields']> = [];
  if (submission.authors?.length) {
    const shown = submission.authors.slice(0, 8).join(', ');
    const more = submission.authors.length - 8;
    fields.push({ name: 'Authors', value: plain(more > 0 ? `${shown} and ${more} more` : shown, 500) });
  }
  if (submission.date) fields.push({ name: 'Date', value: plain(submission.date, 100), inline: true });
  if (submission.arxivId) fields.push({ name: 'arXiv', value: plain(submission.arxivId, 100), inline: true });
  if (submission.url) fields.push({ name: 'Link', value: plain(submission.url, 500) });
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(customId('add', 'confirm', token))
      .setLabel('Confirm')
      .setStyle(ButtonStyle.Success),
    new ButtonBuilder()
      .setCustomId(customId('add', 'cancel', token))
      .setLabel('Cancel')
      .setStyle(ButtonStyle.Secondary),
  );
  return {
    content: 'Add this paper to the collection?',
    embeds: [
      {
        color: COLOR,
        title: plain(submission.title, LIMITS.title),
        ...(submission.url && /^https?:\/\//i.test(submission.url) ? { url: submission.url } : {}),
        description: trimText(escapeMarkdown(submission.abstract), LIMITS.description - 1_000),
        ...(fields.length ? { fields } : {}),
        footer: { text: 'Confirm adds it for everyone and rebuilds the index (a few seconds).' },
      },
    ],
    components: [row],
    allowedMentions: NO_MENTIONS,
  };
}

/** The form for a paper that is not on arXiv. */
export function additionForm(): ModalBuilder {
  const title = new TextInputBuilder().setCustomId('title').setLabel('Title').setStyle(TextInputStyle.Short).setRequired(true).setMaxLength(SUBMISSION_LIMITS.maxTitleChars);
  const abstract = new TextInputBuilder()
    .setCustomId('abstract')
    .setLabel('Abstract')
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(true)
    .setMinLength(SUBMISSION_LIMITS.minAbstractChars)
    .setMaxLength(SUBMISSION_LIMITS.maxAbstractChars);
  const link = new TextInputBuilder()
    .setCustomId('link')
    .setLabel('Link (optional): the paper’s page or DOI')
    .setStyle(TextInputStyle.Short)
    .setRequired(false)
    .setMaxLength(SUBMISSION_LIMITS.maxUrlChars)
    .setPlaceholder('https://doi.org/...');
  return new ModalBuilder()
    .setCustomId(customId('add', 'form'))
    .setTitle('Add a paper')
    .addComponents(
      new ActionRowBuilder<TextInputBuilder>().addComponents(title),
      new ActionRowBuilder<TextInputBuilder>().addComponents(abstract),
      new ActionRowBuilder<TextInputBuilder>().addComponents(link),
    );
}

export default {
  data: new SlashCommandBuilder()
    .setName('add')
    .setDescription('Librarians: add a paper by arXiv id or link; without one, fill in a form.')
    .addStringOption((o) => o.setName('source').setDescription('arXiv id or link, e.g. 2405.01234 or https://arxiv.org/abs/2405.01234').setMaxLength(300))
    // Hidden from members without Manage Server unless a server admin allows a role (see README).
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild),

  async execute(interaction, context) {
    const editor = editorOf(context);
    editor.requireEditor(interaction);
    const source = interaction.options.getString('source')?.trim();
    if (!source) {
      // A form must be the first response: no deferral before it.
      await interaction.showModal(additionForm());
      return;
    }
    const id = editor.parseSource(source);
    await deferThenWork(interaction, context, { ephemeral: true });
    // The build process starts while the user reads the preview, so Confirm builds at once.
    editor.builder.prepare().catch((error: unknown) => context.logger.warn({ err: error }, 'could not start the index build process ahead of /add'));
    const submission = await editor.fromArxiv(id);
    editor.checkNew(submission);
    await interaction.editReply(formatPreview(submission, editor.stage(submission, interaction.user.id)));
  },

  async modal(interaction, context, args) {
    if (args.length !== 1 || args[0] !== 'form') throw new StaleButtonError();
    const editor = editorOf(context);
    editor.requireEditor(interaction);
    const field = (name: string) => {
      try {
        return interaction.fields.getTextInputValue(name);
      } catch {
        return '';
      }
    };
    const submission = editor.fromForm({ title: field('title'), abstract: field('abstract'), link: field('link') });
    editor.checkNew(submission);
    editor.builder.prepare().catch((error: unknown) => context.logger.warn({ err: error }, 'could not start the index build process ahead of /add'));
    await interaction.reply({ ...formatPreview(submission, editor.stage(submission, interaction.user.id)), flags: MessageFlags.Ephemeral });
  },

  async button(interaction, context, args) {
    const [action, token, ...extra] = args;
    if ((action !== 'confirm' && action !== 'cancel') || extra.length || !token || !TOKEN.test(token)) throw new StaleButtonError();
    const editor = editorOf(context);
    if (action === 'cancel') {
      editor.take(token, interaction.user.id);
      await interaction.update({ content: 'Cancelled: nothing was added.', embeds: [], components: [], allowedMentions: NO_MENTIONS });
      return;
    }
    editor.requireEditor(interaction);
    const { submission } = editor.take(token, interaction.user.id);
    const title = plain(submission.title, 200);
    await interaction.update({ content: `Adding “${title}” and rebuilding the index…`, components: [], allowedMentions: NO_MENTIONS });
    try {
      const added = await editor.add(submission, addedBy(interaction));
      context.logger.info({ paperId: added.paper.id, seconds: Math.round(added.seconds * 10) / 10, generation: added.build.generation }, 'paper added from Discord');
      const card = formatPaper(added.paper, added.topic);
      const topic = added.topic ? ` Topic: ${plain(added.topic.label, 200)}.` : '';
      await interaction.editReply({ ...card, content: `Added: ${plain(added.paper.title, 300)}. Ask about it now.${topic}` });
    } catch (error) {
      // The preview message says what happened; the user is never left with "Adding…".
      const message = error instanceof UserError ? error.message : 'Something went wrong while adding the paper; nothing was added. It has been logged.';
      if (!(error instanceof UserError)) context.logger.error({ err: error }, 'adding a paper failed');
      await interaction.editReply({ content: trimText(message, LIMITS.content), embeds: [], components: [], allowedMentions: NO_MENTIONS });
    }
  },
} satisfies Command;
