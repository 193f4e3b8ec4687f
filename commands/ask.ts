/** `/ask question:<text> [private:<bool>]`: an answer with numbered sources, feedback and evidence buttons. */
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { askLitbot, cleanQuestion, QUESTION_MAX } from '../src/discord/ask-litbot.js';
import { StaleButtonError, parseAnswerButton } from '../src/discord/button-ids.js';
import { deferThenWork, type Command, type CommandContext } from '../src/discord/command.js';
import { formatAnswer, formatEvidence, formatPartialAnswer, textPayload } from '../src/discord/format.js';
import type { VoteOutcome } from '../src/discord/feedback-store.js';

/** What a vote click tells the user. */
const THANKS: Record<VoteOutcome, Record<'up' | 'down', string>> = {
  recorded: { up: 'Thanks! Noted as helpful.', down: 'Thanks! Noted as not helpful; it helps improve the answers.' },
  changed: { up: 'Changed your vote to helpful.', down: 'Changed your vote to not helpful.' },
  unchanged: { up: 'You already marked this answer as helpful.', down: 'You already marked this answer as not helpful.' },
};

/** The answer a button refers to; one Litbot no longer has (or never had) makes the button stale. */
function storedAnswer(context: CommandContext, answerId: string) {
  try {
    return context.answers.get(answerId);
  } catch {
    throw new StaleButtonError();
  }
}

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
    const button = parseAnswerButton(args);
    const stored = storedAnswer(context, button.answerId);
    if (button.action === 'feedback') {
      const outcome = await context.feedback.vote(
        {
          at: new Date().toISOString(),
          vote: button.vote,
          answerId: button.answerId,
          question: stored.question,
          answer: stored.result.answer,
          citations: stored.result.citations,
          backend: stored.result.backend,
          ...(stored.result.model ? { model: stored.result.model } : {}),
          interactionId: interaction.id,
        },
        interaction.user.id,
      );
      await interaction.reply({ ...textPayload(THANKS[outcome][button.vote]), flags: MessageFlags.Ephemeral });
      return;
    }
    const [first, ...more] = formatEvidence(stored.result.evidence, stored.question);
    await interaction.reply({ ...first, flags: MessageFlags.Ephemeral });
    for (const message of more) await interaction.followUp({ ...message, flags: MessageFlags.Ephemeral });
  },
} satisfies Command;
