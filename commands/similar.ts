/** `/similar title:<autocomplete>`: the papers nearest to one paper, each with a one-line snippet. */
import { SlashCommandBuilder } from 'discord.js';
import { resolvePaper, titleChoices } from '../src/discord/choices.js';
import { deferThenWork, type Command } from '../src/discord/command.js';
import { escapeMarkdown, formatPaperList, trimText } from '../src/discord/format.js';
import { similarItems } from '../src/discord/paper-lists.js';

export default {
  data: new SlashCommandBuilder()
    .setName('similar')
    .setDescription('Papers similar to one you pick.')
    .addStringOption((o) => o.setName('title').setDescription('Start typing a title').setRequired(true).setAutocomplete(true)),

  async execute(interaction, context) {
    const paper = resolvePaper(context.litbot, interaction.options.getString('title', true));
    await deferThenWork(interaction, context);
    const { similar } = await context.litbot.similar(paper.title);
    const [first, ...rest] = formatPaperList(`Papers similar to “${escapeMarkdown(trimText(paper.title, 200))}”`, similarItems(similar), 'No similar papers found.');
    await interaction.editReply(first);
    for (const message of rest) await interaction.followUp(message);
  },

  async autocomplete(interaction, context) {
    await interaction.respond(titleChoices(context.litbot, interaction.options.getFocused()));
  },
} satisfies Command;
