/**
 * The running bot: a logged-in client whose interactions go to the commands in the registry and
 * whose mentions, thread follow-ups and DMs become answers, with one log line per request.
 */
import { Events, MessageFlags, ThreadAutoArchiveDuration, type Client, type ClientOptions, type Interaction, type Message, type SendableChannels } from 'discord.js';
import type { Logger } from 'pino';
import { createLogger } from '../config/logger.js';
import { requireDiscord, type Env } from '../config/env.js';
import { displayDir } from '../config/paths.js';
import { DiscordLoginError, RateLimitedError, UserError, errorMessage } from '../errors.js';
import type { Litbot } from '../litbot.js';
import { createLimiter } from '../answer/limiter.js';
import { AckTracker } from './ack-tracker.js';
import { AnswerStore } from './answer-store.js';
import { CollectionEditor } from './collection-editor.js';
import { askLitbot, cleanQuestion } from './ask-litbot.js';
import { StaleButtonError } from './button-ids.js';
import { createClient, explainLoginError, inviteUrl } from './client.js';
import { parseCustomId, type Command, type CommandContext } from './command.js';
import { replyToMessageWithError, replyWithError, type Outcome } from './error-funnel.js';
import { FeedbackStore } from './feedback-store.js';
import { LIMITS, formatAnswer, formatPartialAnswer, textPayload, trimText } from './format.js';
import { loadCommands, registerCommands } from './registry.js';
import { RateLimiter } from './rate-limiter.js';
import { sanitizingRest } from './sanitize.js';

export interface StartBotOptions {
  env: Env;
  /** The facade, or the promise of it while the index loads (the login runs alongside). */
  litbot: Litbot | Promise<Litbot>;
  /** Merged into the client options (tests point `rest` at a fake Discord). */
  clientOptions?: Partial<ClientOptions>;
  logger?: Logger;
  /** Defaults to everything in `commands/`. */
  commands?: Command[];
  /** Milliseconds between streamed edits of an answer (default 1,200: Discord allows about 5 edits per 5 s). */
  streamEditIntervalMs?: number;
  /** How long `stop()` waits for requests in flight (default `SHUTDOWN_GRACE_MS`). */
  drainTimeoutMs?: number;
  /** What `/add` and `/remove` use (default: one over `CORPUS_DIR` that rebuilds in a child process). */
  collection?: CollectionEditor;
}

export interface RunningBot {
  client: Client<true>;
  context: CommandContext;
  /**
   * Stops taking requests (new ones are told Litbot is restarting), gives the ones in flight up to
   * the grace period to finish, ends those still running with a "Litbot is restarting" message,
   * and disconnects.
   */
  stop(): Promise<void>;
}

/** What a request still in flight at the end of the grace period is told. */
export const RESTARTING = 'Litbot is restarting and could not finish this; please ask again in a minute.';

/** One request being handled, and how to end it politely if it cannot finish. */
interface Work {
  done: Promise<void>;
  endPolitely(): Promise<unknown>;
}

/** What a request gets while the index is still loading. */
export const STARTING = 'Litbot is still starting (loading its index); please try again in a minute.';

/**
 * Logs in, waits until ready, registers the commands to `DISCORD_GUILD_ID` if set, and serves.
 * `litbot` may still be loading: the login runs alongside, and requests that arrive before it is
 * loaded are told to try again shortly. A login Discord refuses, or a Discord out of reach,
 * rejects with a `DiscordLoginError` whose message names the fix.
 */
export async function startBot(options: StartBotOptions): Promise<RunningBot> {
  const { env } = options;
  const discord = requireDiscord(env);
  const logger = options.logger ?? createLogger(env);
  const litbotLoaded = Promise.resolve(options.litbot);
  // A failed load is reported by the await below; until then it must not count as unhandled.
  litbotLoaded.catch(() => undefined);
  const commands = options.commands ?? (await loadCommands());
  const byName = new Map(commands.map((c) => [c.data.name, c]));
  let context: CommandContext | undefined;

  // Every request the client makes leaves through the sanitizer: no secret, mention or odd link gets out.
  const rest = options.clientOptions?.rest;
  const client = createClient(env, { ...options.clientOptions, rest: { ...rest, ...sanitizingRest(env, logger, rest?.makeRequest) } });
  const inFlight = new Set<Work>();
  let stopping = false;
  const track = (work: Promise<unknown>, endPolitely: () => Promise<unknown>) => {
    // Handlers catch their own errors; this keeps a bug in one from becoming an unhandled rejection.
    const done = work.then(
      () => undefined,
      (error: unknown) => logger.error({ err: error }, 'request handler failed'),
    );
    const entry: Work = { done, endPolitely };
    inFlight.add(entry);
    void done.finally(() => inFlight.delete(entry));
  };

  client.on(Events.InteractionCreate, (interaction) => {
    if (stopping || !context) {
      track(replyWithError(interaction, new UserError(stopping ? 'Litbot is restarting; please try again in a minute.' : STARTING), logger), async () => {});
      return;
    }
    track(handleInteraction(interaction, context, byName), () => endInteraction(interaction));
  });
  client.on(Events.MessageCreate, (message) => {
    if (stopping) return;
    if (!context) {
      if (isForLitbot(message, env)) track(replyToMessageWithError(message, new UserError(STARTING), logger), async () => {});
      return;
    }
    let target: SendableChannels | undefined;
    let ended = false;
    track(handleMessage(message, context, { onTarget: (channel) => (target = channel), ended: () => ended }), async () => {
      ended = true;
      return target?.send(textPayload(RESTARTING));
    });
  });
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.Warn, (warning) => logger.warn(warning));

  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  let readyClient: Client<true>;
  let litbot: Litbot;
  try {
    await client.login(discord.token);
    [readyClient, litbot] = await Promise.all([ready, litbotLoaded]);
  } catch (error) {
    await client.destroy().catch(() => undefined);
    const explained = explainLoginError(error, env);
    if (explained) throw new DiscordLoginError(explained.message, { cause: error, retryable: explained.retryable });
    throw error;
  }

  // With a sharding manager every shard runs this; one registration is enough.
  let registration: string;
  if (discord.guildId && (!client.shard || client.shard.ids.includes(0))) {
    const registered = await registerCommands({ rest: client.rest, clientId: discord.clientId, guildId: discord.guildId, commands });
    logger.info({ guild: discord.guildId, commands: registered.map((c) => c.name) }, 'registered commands to the guild');
    registration = `registered to server ${discord.guildId} at start`;
  } else {
    registration = discord.guildId ? 'registered by shard 0' : 'global: registered by npm run deploy-commands (can take up to an hour to appear)';
  }

  context = {
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

  const guilds = [...readyClient.guilds.cache.values()];
  let index: Record<string, unknown> = { dir: displayDir(env.INDEX_DIR) };
  try {
    const about = litbot.about();
    index = { ...index, papers: about.papers, builtAt: about.builtAt };
  } catch (error) {
    // The ready line must not be what stops a bot that can otherwise serve.
    index = { ...index, error: errorMessage(error) };
  }
  logger.info(
    {
      user: readyClient.user.tag,
      guilds: guilds.length,
      servers: guilds.slice(0, 20).map((g) => g.name),
      commands: commands.map((c) => c.data.name),
      registration,
      index,
      messageContent: env.DISCORD_MESSAGE_CONTENT,
      ...(client.shard ? { shards: client.shard.ids } : {}),
      // A bot in no server is reachable by nobody: say how to add it.
      ...(guilds.length === 0 ? { invite: inviteUrl(discord.clientId) } : {}),
      uptimeMs: Math.round(process.uptime() * 1000),
    },
    guilds.length === 0 ? 'bot ready, but in no server yet: open the invite link to add it' : 'bot ready',
  );

  const graceMs = options.drainTimeoutMs ?? env.SHUTDOWN_GRACE_MS;
  const running = context;
  return {
    client: readyClient,
    context: running,
    async stop() {
      stopping = true;
      if (inFlight.size) logger.info({ inFlight: inFlight.size, graceMs }, 'finishing the requests in flight');
      const drained = Promise.allSettled([...inFlight].map((w) => w.done));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
      const result = await Promise.race([drained, timeout]);
      clearTimeout(timer);
      if (result === 'timeout' && inFlight.size) {
        const unfinished = [...inFlight];
        logger.warn({ pending: unfinished.length, graceMs }, 'grace period over: ending the requests still in flight with a restart notice');
        await Promise.allSettled(unfinished.map((w) => w.endPolitely().catch((error: unknown) => logger.error({ err: error }, 'could not send the restart notice'))));
      }
      await running.collection?.close();
      await client.destroy();
      logger.info('bot stopped');
    },
  };
}

/**
 * True for a message Litbot should answer: a DM, a mention, or (with the Message Content intent,
 * without which Discord blanks un-mentioned messages) any message in a thread Litbot started.
 */
export function isForLitbot(message: Message, env: Pick<Env, 'DISCORD_MESSAGE_CONTENT'>): boolean {
  if (message.author.bot || message.system) return false;
  const botId = message.client.user.id;
  const channel = message.channel;
  if (!message.inGuild() || message.mentions.users.has(botId)) return true;
  return env.DISCORD_MESSAGE_CONTENT && channel.isThread() && channel.ownerId === botId;
}

/**
 * Ends an interaction that could not finish: its reply (deferred or streamed) becomes the restart
 * notice. The handler is still running, so the interaction is sealed first: whatever it sends
 * later is dropped, and a late streamed edit cannot replace the notice. (An edit already on the
 * wire is ahead of the notice in discord.js's queue for that route, so the notice lands last.)
 */
async function endInteraction(interaction: Interaction): Promise<unknown> {
  if (!interaction.isRepliable()) return;
  const editReply = interaction.editReply.bind(interaction);
  const reply = interaction.reply.bind(interaction);
  const dropped = () => Promise.resolve(undefined as never);
  Object.assign(interaction, { reply: dropped, deferReply: dropped, editReply: dropped, followUp: dropped, deleteReply: dropped, showModal: dropped });
  if (interaction.deferred || interaction.replied) return editReply({ ...textPayload(RESTARTING), embeds: [], components: [] });
  return reply({ ...textPayload(RESTARTING), flags: MessageFlags.Ephemeral });
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
export async function handleMessage(
  message: Message,
  context: CommandContext,
  hooks: {
    /** Told where the answer goes (the new thread, or the channel) once that is known. */
    onTarget?(channel: SendableChannels): void;
    /** True once the bot has ended this request at shutdown: nothing more is sent for it. */
    ended?(): boolean;
  } = {},
): Promise<void> {
  if (!isForLitbot(message, context.env)) return;
  const botId = message.client.user.id;
  const channel = message.channel;
  const inDm = !message.inGuild();

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
    hooks.onTarget?.(where);
    await where.sendTyping().catch(() => undefined);
    let streamed: Message | undefined;
    const result = await askLitbot(context, question, {
      history: context.answers.history(where.id),
      onPartial: async (text) => {
        if (hooks.ended?.()) return;
        streamed = streamed ? await streamed.edit(formatPartialAnswer(text)) : await where.send(formatPartialAnswer(text));
      },
    });
    context.answers.addTurn(where.id, { question, answer: result });
    const stored = context.answers.put(question, result, message.author.id);
    const [first, ...rest] = formatAnswer(result, { answerId: stored.id });
    if (hooks.ended?.()) return;
    if (streamed) await streamed.edit(first);
    else if (where.id === message.channelId) await message.reply(first);
    else await where.send(first);
    for (const payload of rest) await where.send(payload);
  } catch (error) {
    if (hooks.ended?.()) {
      outcome = 'error';
    } else if (error instanceof RateLimitedError && !inDm) {
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
