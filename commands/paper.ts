/** `/paper title:<autocomplete>`: one paper's details, with "Similar papers" and "Ask about this paper". */
import { ActionRowBuilder, ModalBuilder, SlashCommandBuilder, TextInputBuilder, TextInputStyle } from 'discord.js';
import { askLitbot, cleanQuestion, QUESTION_MAX } from '../src/discord/ask-litbot.js';
import { StaleButtonError, parsePaperButton } from '../src/discord/button-ids.js';
import { resolvePaper, titleChoices } from '../src/discord/choices.js';
import { customId, deferThenWork, type Command } from '../src/discord/command.js';
import { escapeMarkdown, formatAnswer, formatPaper, formatPaperList, oneLine, trimText } from '../src/discord/format.js';
import { similarItems } from '../src/discord/paper-lists.js';

export default {
  data: new SlashCommandBuilder()
    .setName('paper')
    .setDescription('Show one paper: link, authors, date, topic and abstract.')
    .addStringOption((o) => o.setName('title').setDescription('Start typing a title').setRequired(true).setAutocomplete(true)),

  async execute(interaction, context) {
    const paper = resolvePaper(context.litbot, interaction.options.getString('title', true));
    await interaction.reply(formatPaper(paper, context.litbot.topicOf(paper.id)));
  },

  async autocomplete(interaction, context) {
    await interaction.respond(titleChoices(context.litbot, interaction.options.getFocused()));
  },

  async button(interaction, context, args) {
    const { action, paperId } = parsePaperButton(args);
    const paper = context.litbot.paperById(paperId);
    if (!paper) throw new StaleButtonError();
    if (action === 'similar') {
      await deferThenWork(interaction, context);
      const { similar } = await context.litbot.similar(paper.title);
      const [first, ...rest] = formatPaperList(`Papers similar to “${escapeMarkdown(trimText(paper.title, 200))}”`, similarItems(similar), 'No similar papers found.');
      await interaction.editReply(first);
      for (const message of rest) await interaction.followUp(message);
      return;
    }
    if (action === 'ask') {
      const input = new TextInputBuilder()
        .setCustomId('question')
        .setLabel('Your question about this paper')
        .setStyle(TextInputStyle.Paragraph)
        .setRequired(true)
        .setMaxLength(QUESTION_MAX);
      await interaction.showModal(
        new ModalBuilder()
          .setCustomId(customId('paper', 'ask', paper.id))
          .setTitle(trimText(`Ask about: ${paper.title}`, 45))
          .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input)),
      );
      return;
    }
  },

  async modal(interaction, context, args) {
    const { action, paperId } = parsePaperButton(args);
    const paper = context.litbot.paperById(paperId);
    if (action !== 'ask' || !paper) throw new StaleButtonError();
    const asked = cleanQuestion(interaction.fields.getTextInputValue('question'));
    await deferThenWork(interaction, context);
    // Naming the paper steers retrieval towards it while still letting the answer cite others.
    const question = `${asked} (about the paper "${paper.title}")`;
    const result = await askLitbot(context, question);
    const stored = context.answers.put(question, result, interaction.user.id);
    const [first, ...rest] = formatAnswer(result, { question: oneLine(`${asked} — ${paper.title}`, 256), answerId: stored.id });
    await interaction.editReply(first);
    for (const message of rest) await interaction.followUp(message);
  },
} satisfies Command;
