/**
 * The one place failures become replies. Expected errors (`UserError` and its kin) show their own
 * message; anything else is logged with its context and the user gets a short apology. Either way
 * the reply is ephemeral and the interaction is answered, whatever state it was left in.
 */
import { MessageFlags, type Interaction, type Message, type TextBasedChannel } from 'discord.js';
import type { Logger } from 'pino';
import { BackendError, ConfigError, IndexMismatchError, IndexNotBuiltError, UserError, errorMessage } from '../errors.js';
import { textPayload } from './format.js';

/** How a failure is classified in the logs. */
export type Outcome = 'ok' | 'user-error' | 'rate-limited' | 'error';

/** What the user is told for `error`, and how the log classifies it. */
export function describeError(error: unknown): { message: string; outcome: Outcome } {
  if (error instanceof UserError) return { message: error.message, outcome: error.name === 'RateLimitedError' ? 'rate-limited' : 'user-error' };
  if (error instanceof BackendError) return { message: 'The language model is unavailable right now; please try again later.', outcome: 'error' };
  if (error instanceof IndexNotBuiltError || error instanceof IndexMismatchError || error instanceof ConfigError) {
    return { message: 'Litbot is not set up correctly; the operator has been told.', outcome: 'error' };
  }
  return { message: 'Sorry, something went wrong while answering. It has been logged; please try again.', outcome: 'error' };
}

/**
 * Answers `interaction` with the message for `error`, ephemerally, and logs unexpected errors.
 * A deferred public reply is deleted first so the apology can be private.
 */
export async function replyWithError(interaction: Interaction, error: unknown, logger: Logger): Promise<Outcome> {
  const { message, outcome } = describeError(error);
  if (outcome === 'error') logger.error({ err: error, interaction: interactionSummary(interaction) }, `interaction failed: ${errorMessage(error)}`);
  try {
    if (interaction.isAutocomplete()) {
      if (!interaction.responded) await interaction.respond([]);
      return outcome;
    }
    if (!interaction.isRepliable()) return outcome;
    const payload = { ...textPayload(message), flags: MessageFlags.Ephemeral as const };
    if (interaction.deferred && !interaction.replied) {
      if (interaction.ephemeral) {
        await interaction.editReply(textPayload(message));
      } else {
        await interaction.deleteReply();
        await interaction.followUp(payload);
      }
    } else if (interaction.replied) {
      await interaction.followUp(payload);
    } else {
      await interaction.reply(payload);
    }
  } catch (replyError) {
    logger.error({ err: replyError, interaction: interactionSummary(interaction) }, 'could not tell the user about an error');
  }
  return outcome;
}

/** Answers a failed mention or thread message with a short, non-pinging reply. */
export async function replyToMessageWithError(message: Message, error: unknown, logger: Logger, target: TextBasedChannel = message.channel): Promise<Outcome> {
  const { message: text, outcome } = describeError(error);
  if (outcome === 'error') logger.error({ err: error, message: { id: message.id, channel: message.channelId } }, `message failed: ${errorMessage(error)}`);
  try {
    if (target.isSendable()) await target.send(textPayload(text));
  } catch (replyError) {
    logger.error({ err: replyError }, 'could not tell the user about an error');
  }
  return outcome;
}

function interactionSummary(interaction: Interaction): Record<string, unknown> {
  return {
    id: interaction.id,
    type: interaction.type,
    user: interaction.user.id,
    command: interaction.isCommand() || interaction.isAutocomplete() ? interaction.commandName : undefined,
    customId: interaction.isMessageComponent() || interaction.isModalSubmit() ? interaction.customId : undefined,
  };
}
