/**
 * The shape every slash command module in `commands/` exports, and the context the dispatcher
 * hands it. One file per command; buttons and modals carry custom ids that start with the owning
 * command's name, so the same module handles the follow-up clicks.
 */
import {
  MessageFlags,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ModalSubmitInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Logger } from 'pino';
import type { Env } from '../config/env.js';
import type { Litbot } from '../litbot.js';
import type { Limiter } from '../answer/limiter.js';
import type { AckTracker } from './ack-tracker.js';
import type { AnswerStore } from './answer-store.js';
import type { CollectionEditor } from './collection-editor.js';
import type { FeedbackStore } from './feedback-store.js';
import type { RateLimiter } from './rate-limiter.js';

/** What a command needs from the running bot. */
export interface CommandContext {
  litbot: Litbot;
  env: Env;
  logger: Logger;
  rateLimiter: RateLimiter;
  feedback: FeedbackStore;
  /**
   * Answers computed at once (`LLM_MAX_CONCURRENCY`); the rest wait in order, up to
   * `LLM_QUEUE_TIMEOUT_MS`. First come, first answered, instead of every answer in a burst
   * finishing last. LLM calls inside are capped by the answer module's own limiter as well.
   */
  answerSlots: Limiter;
  /** Deferrals in flight; slow work waits for them (see `deferThenWork`). */
  acks: AckTracker;
  /** Recent answers by id, for the buttons under them. */
  answers: AnswerStore;
  /** Every loaded command (for `/help`). */
  commands: readonly Command[];
  /** Milliseconds between streamed edits of an answer. */
  streamEditIntervalMs: number;
  /** Adds and removes papers (`/add`, `/remove`). */
  collection?: CollectionEditor;
}

/** One slash command: its definition for Discord and its handlers. */
export interface Command {
  /** A `SlashCommandBuilder` (or anything with a name and the JSON Discord registers). */
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, context: CommandContext): Promise<void>;
  /** Clicks on buttons whose custom id is `<name>:<args...>`; `args` are the parts after the name. */
  button?(interaction: ButtonInteraction, context: CommandContext, args: string[]): Promise<void>;
  /** Submitted modals whose custom id is `<name>:<args...>`. */
  modal?(interaction: ModalSubmitInteraction, context: CommandContext, args: string[]): Promise<void>;
}

/**
 * Defers the reply, then waits until no other deferral is in flight before the slow work starts,
 * so that a burst of commands is acknowledged within Discord's 3 s before any is answered.
 */
export async function deferThenWork(
  interaction: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction,
  context: CommandContext,
  options: { ephemeral?: boolean } = {},
): Promise<void> {
  await context.acks.track(interaction.deferReply(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {}));
  await context.acks.settled();
}

/** True when `value` has the shape of a `Command` (what `loadCommands` accepts from a module). */
export function isCommand(value: unknown): value is Command {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Command>;
  return (
    typeof v.data === 'object' &&
    v.data !== null &&
    typeof v.data.name === 'string' &&
    typeof v.data.toJSON === 'function' &&
    typeof v.execute === 'function' &&
    (v.autocomplete === undefined || typeof v.autocomplete === 'function') &&
    (v.button === undefined || typeof v.button === 'function') &&
    (v.modal === undefined || typeof v.modal === 'function')
  );
}

/** Discord caps a component's custom id at 100 characters. */
const CUSTOM_ID_MAX = 100;

/** A custom id routed to `command`: `<command>:<part>:<part>...`. */
export function customId(command: string, ...parts: (string | number)[]): string {
  const id = [command, ...parts].join(':');
  if (id.length > CUSTOM_ID_MAX) throw new Error(`Custom id longer than ${CUSTOM_ID_MAX} characters: ${id}`);
  return id;
}

/** Splits a custom id into the owning command's name and the rest. */
export function parseCustomId(id: string): { command: string; args: string[] } {
  const [command, ...args] = id.split(':');
  return { command, args };
}
