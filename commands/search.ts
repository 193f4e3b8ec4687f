/** `/search query:<text>`: the best-matching papers, each with its best passage as a one-line snippet. */
import { SlashCommandBuilder } from 'discord.js';
import { deferThenWork, type Command } from '../src/discord/command.js';
import { escapeMarkdown, formatPaperList, trimText } from '../src/discord/format.js';
import { searchItems } from '../src/discord/paper-lists.js';
import { UserError } from '../src/errors.js';

export default {
  data: new SlashCommandBuilder()
    .setName('search')
    .setDescription('Find papers about something, with the passage that matched.')
    .addStringOption((o) => o.setName('query').setDescription('What to look for').setRequired(true).setMaxLength(300)),

  async execute(interaction, context) {
    const query = interaction.options.getString('query', true).trim();
    if (!query) throw new UserError('Give something to search for, e.g. "retrieval-augmented generation".');
    await deferThenWork(interaction, context);
    const response = await context.litbot.search(query, { k: 8 });
    const [first, ...rest] = formatPaperList(
      `Papers for “${escapeMarkdown(trimText(query, 200))}”`,
      searchItems(response.hits),
      `No papers match “${escapeMarkdown(trimText(query, 200))}”.`,
    );
    await interaction.editReply(first);
    for (const message of rest) await interaction.followUp(message);
  },
} satisfies Command;
