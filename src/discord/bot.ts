/**
 * The running bot: a logged-in client whose interactions go to the commands in the registry and
 * whose mentions, thread follow-ups and DMs become answers, with one log line per request.
 */
import {
  Events,
  ThreadAutoArchiveDuration,
  type Client,
  type ClientOptions,
  type Interaction,
  type Message,
  type SendableChannels,
} from 'discord.js';
import type { Logger } from 'pino';
import { createLogger } from '../config/logger.js';
import { requireDiscord, type Env } from '../config/env.js';
import { RateLimitedError, UserError } from '../errors.js';
import type { Litbot } from '../litbot.js';
import { createLimiter } from '../answer/limiter.js';
import { AckTracker } from './ack-tracker.js';
import { AnswerStore } from './answer-store.js';
import { CollectionEditor } from './collection-editor.js';
import { askLitbot, cleanQuestion } from './ask-litbot.js';
import { StaleButtonError } from './button-ids.js';
import { createClient } from './client.js';
import { parseCustomId, type Command, type CommandContext } from './command.js';
import { replyToMessageWithError, replyWithError, type Outcome } from './error-funnel.js';
import { FeedbackStore } from './feedback-store.js';
import { LIMITS, formatAnswer, formatPartialAnswer, textPayload, trimText } from './format.js';
import { loadCommands, registerCommands } from './registry.js';
import { RateLimiter } from './rate-limiter.js';
import { sanitizingRest } from './sanitize.js';

export interface StartBotOptions {
  env: Env;
  litbot: Litbot;
  /** Merged into the client options (tests point `rest` at a fake Discord). */
  clientOptions?: Partial<ClientOptions>;
  logger?: Logger;
  /** Defaults to everything in `commands/`. */
  commands?: Command[];
  /** Milliseconds between streamed edits of an answer (default 1,200: Discord allows about 5 edits per 5 s). */
  streamEditIntervalMs?: number;
  /** How long `stop()` waits for requests in flight (default 10 s). */
  drainTimeoutMs?: number;
  /** What `/add` and `/remove` use (default: one over `CORPUS_DIR` that rebuilds in a child process). */
  collection?: CollectionEditor;
}

export interface RunningBot {
  client: Client<true>;
  context: CommandContext;
  /** Stops taking requests, waits for the ones in flight, and disconnects. */
  stop(): Promise<void>;
}

/** Logs in, waits until ready, registers the commands to `DISCORD_GUILD_ID` if set, and serves. */
export async function startBot(options: StartBotOptions): Promise<RunningBot> {
  const { env, litbot } = options;
  const discord = requireDiscord(env);
  const logger = options.logger ?? createLogger(env);
  const commands = options.commands ?? (await loadCommands());
  const byName = new Map(commands.map((c) => [c.data.name, c]));
  const context: CommandContext = {
    litbot,
    env,
    logger,
    rateLimiter: new RateLimiter(env.RATE_LIMIT_COUNT, env.RATE_LIMIT_WINDOW_S),
    feedback: new FeedbackStore(env.FEEDBACK_FILE),
    answers: new AnswerStore(),
    acks: new AckTracker(),
    // Offline answers are CPU work on one thread: running them side by side only makes each later.
    answerSlots: createLimiter(env.LLM_PROVIDER === 'extractive' ? 1 : env.LLM_MAX_CONCURRENCY, env.LLM_QUEUE_TIMEOUT_MS),
    commands,
    streamEditIntervalMs: options.streamEditIntervalMs ?? 1_200,
    collection: options.collection ?? new CollectionEditor({ env, litbot, logger }),
  };

  // Every request the client makes leaves through the sanitizer: no secret, mention or odd link gets out.
  const rest = options.clientOptions?.rest;
  const client = createClient(env, { ...options.clientOptions, rest: { ...rest, ...sanitizingRest(env, logger, rest?.makeRequest) } });
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  const track = (work: Promise<unknown>) => {
    // Handlers catch their own errors; this keeps a bug in one from becoming an unhandled rejection.
    const guarded = work.then(
      () => undefined,
      (error: unknown) => logger.error({ err: error }, 'request handler failed'),
    );
    inFlight.add(guarded);
    void guarded.finally(() => inFlight.delete(guarded));
  };

  client.on(Events.InteractionCreate, (interaction) => {
    if (stopping) {
      track(replyWithError(interaction, new UserError('Litbot is restarting; please try again in a minute.'), logger));
      return;
    }
    track(handleInteraction(interaction, context, byName));
  });
  client.on(Events.MessageCreate, (message) => {
    if (!stopping) track(handleMessage(message, context));
  });
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.Warn, (warning) => logger.warn(warning));

  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  await client.login(discord.token);
  const readyClient = await ready;
  logger.info({ user: readyClient.user.tag, guilds: client.guilds.cache.size, commands: commands.length }, 'bot ready');

  // With a sharding manager every shard runs this; one registration is enough.
  if (discord.guildId && (!client.shard || client.shard.ids.includes(0))) {
    const registered = await registerCommands({ rest: client.rest, clientId: discord.clientId, guildId: discord.guildId, commands });
    logger.info({ guild: discord.guildId, commands: registered.map((c) => c.name) }, 'registered commands to the guild');
  }

  return {
    client: readyClient,
    context,
    async stop() {
      stopping = true;
      const drained = Promise.allSettled([...inFlight]);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.drainTimeoutMs ?? 10_000)));
      const result = await Promise.race([drained, timeout]);
      clearTimeout(timer);
      if (result === 'timeout') logger.warn({ pending: inFlight.size }, 'stopped with requests still in flight');
      await context.collection?.close();
      await client.destroy();
      logger.info('bot stopped');
    },
  };
}

/** Routes one interaction to its command, through the rate limit and the error funnel, and logs it. */
export async function handleInteraction(interaction: Interaction, context: CommandContext, byName: Map<string, Command>): Promise<void> {
  const started = performance.now();
  let outcome: Outcome = 'ok';
  let kind = 'other';
  let name: string | undefined;
  try {
    if (interaction.isAutocomplete()) {
      kind = 'autocomplete';
      name = interaction.commandName;
      const command = byName.get(name);
      if (!command?.autocomplete) throw new Error(`No autocomplete handler for /${name}`);
      await command.autocomplete(interaction, context);
      return;
    }
    if (interaction.isChatInputCommand()) {
      kind = 'command';
      name = interaction.commandName;
      const command = byName.get(name);
      if (!command) throw new UserError(`Litbot has no /${name} command any more; see /help.`);
      context.rateLimiter.take(interaction.user.id);
      await command.execute(interaction, context);
    } else if (interaction.isButton() || interaction.isModalSubmit()) {
      kind = interaction.isButton() ? 'button' : 'modal';
      const { command: owner, args } = parseCustomId(interaction.customId);
      name = `${owner}:${args[0] ?? ''}`;
      const command = byName.get(owner);
      const handler = interaction.isButton() ? command?.button : command?.modal;
      if (!command || !handler) throw new StaleButtonError();
      if (interaction.isModalSubmit()) {
        context.rateLimiter.take(interaction.user.id);
        await command.modal!(interaction, context, args);
      } else {
        await command.button!(interaction, context, args);
      }
    } else {
      return;
    }
    // A handler that returned without answering would leave the user with "interaction failed".
    if (interaction.isRepliable() && !interaction.replied && !interaction.deferred) {
      throw new Error(`The ${kind} handler for ${name} returned without replying`);
    }
  } catch (error) {
    outcome = await replyWithError(interaction, error, context.logger);
  } finally {
    context.logger.info(
      { kind, command: name, id: interaction.id, user: interaction.user.id, guild: interaction.guildId ?? 'dm', latencyMs: Math.round(performance.now() - started), outcome },
      'interaction',
    );
  }
}

/**
 * Answers a mention in a channel (in a new thread on that message), a mention in a thread or any
 * message in a thread Litbot started (as a follow-up, with the thread's history), and DMs.
 */
export async function handleMessage(message: Message, context: CommandContext): Promise<void> {
  const botId = message.client.user.id;
  if (message.author.bot || message.system) return;
  const channel = message.channel;
  const inDm = !message.inGuild();
  const mentioned = message.mentions.users.has(botId);
  const inOwnThread = channel.isThread() && channel.ownerId === botId;
  if (!inDm && !mentioned && !inOwnThread) return;

  const started = performance.now();
  let outcome: Outcome = 'ok';
  let target: SendableChannels | undefined = channel.isSendable() ? channel : undefined;
  const kind = inDm ? 'dm' : channel.isThread() ? 'thread' : 'mention';
  try {
    const question = cleanQuestion(message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' '));
    context.rateLimiter.take(message.author.id);
    if (!inDm && !channel.isThread()) {
      target = await message.startThread({ name: trimText(question, LIMITS.threadName), autoArchiveDuration: ThreadAutoArchiveDuration.OneDay });
    }
    if (!target) throw new Error(`Cannot send messages in channel ${message.channelId}`);
    const where = target;
    await where.sendTyping().catch(() => undefined);
    let streamed: Message | undefined;
    const result = await askLitbot(context, question, {
      history: context.answers.history(where.id),
      onPartial: async (text) => {
        streamed = streamed ? await streamed.edit(formatPartialAnswer(text)) : await where.send(formatPartialAnswer(text));
      },
    });
    context.answers.addTurn(where.id, { question, answer: result });
    const stored = context.answers.put(question, result, message.author.id);
    const [first, ...rest] = formatAnswer(result, { answerId: stored.id });
    if (streamed) await streamed.edit(first);
    else if (where.id === message.channelId) await message.reply(first);
    else await where.send(first);
    for (const payload of rest) await where.send(payload);
  } catch (error) {
    if (error instanceof RateLimitedError && !inDm) {
      // A channel message cannot be ephemeral; a DM keeps the "slow down" private.
      outcome = 'rate-limited';
      try {
        await message.author.send(textPayload(error.message));
      } catch {
        outcome = await replyToMessageWithError(message, error, context.logger, target);
      }
    } else {
      outcome = target ? await replyToMessageWithError(message, error, context.logger, target) : 'error';
    }
  } finally {
    context.logger.info(
      { kind, command: kind, id: message.id, user: message.author.id, guild: message.guildId ?? 'dm', latencyMs: Math.round(performance.now() - started), outcome },
      'message',
    );
  }
}
