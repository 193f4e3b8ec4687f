/** `/ask question:<text> [private:<bool>]`: an answer with numbered sources, feedback and evidence buttons. */
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { askLitbot, cleanQuestion, QUESTION_MAX } from '../src/discord/ask-litbot.js';
import { deferThenWork, type Command } from '../src/discord/command.js';
import { formatAnswer, formatEvidence, formatPartialAnswer, textPayload } from '../src/discord/format.js';
import { UserError } from '../src/errors.js';

export default {
  data: new SlashCommandBuilder()
    .setName('ask')
    .setDescription('Ask a question about the papers; the answer cites its sources.')
    .addStringOption((o) => o.setName('question').setDescription('Your question').setRequired(true).setMaxLength(QUESTION_MAX))
    .addBooleanOption((o) => o.setName('private').setDescription('Only you see the answer (default: no)')),

  async execute(interaction, context) {
    const question = cleanQuestion(interaction.options.getString('question', true));
    const ephemeral = interaction.options.getBoolean('private') ?? false;
    const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
    await deferThenWork(interaction, context, { ephemeral });
    const result = await askLitbot(context, question, {
      onPartial: (text) => interaction.editReply(formatPartialAnswer(text, question)),
    });
    const stored = context.answers.put(question, result, interaction.user.id);
    const [first, ...rest] = formatAnswer(result, { question, answerId: stored.id });
    await interaction.editReply(first);
    for (const message of rest) await interaction.followUp(flags ? { ...message, flags } : message);
  },

  async button(interaction, context, args) {
    const [action, ...rest] = args;
    if (action === 'feedback') {
      const [vote, answerId] = rest;
      if (vote !== 'up' && vote !== 'down') throw new UserError('Unknown feedback button.');
      const stored = context.answers.get(answerId);
      await context.feedback.add({
        at: new Date().toISOString(),
        vote,
        answerId,
        question: stored.question,
        answer: stored.result.answer,
        citations: stored.result.citations,
        backend: stored.result.backend,
        ...(stored.result.model ? { model: stored.result.model } : {}),
        interactionId: interaction.id,
      });
      await interaction.reply({ ...textPayload(vote === 'up' ? 'Thanks! Noted as helpful.' : 'Thanks! Noted as not helpful; it helps improve the answers.'), flags: MessageFlags.Ephemeral });
      return;
    }
    if (action === 'evidence') {
      const stored = context.answers.get(rest[0]);
      const [first, ...more] = formatEvidence(stored.result.evidence, stored.question);
      await interaction.reply({ ...first, flags: MessageFlags.Ephemeral });
      for (const message of more) await interaction.followUp({ ...message, flags: MessageFlags.Ephemeral });
      return;
    }
    throw new UserError('Unknown button.');
  },
} satisfies Command;
