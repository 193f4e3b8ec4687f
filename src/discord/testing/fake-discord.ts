/**
 * A small fake Discord (REST and gateway) on 127.0.0.1 that the real, unmodified discord.js
 * client connects to. It records every REST request (method, path, JSON body) so tests can assert
 * on exactly what Discord would receive, and dispatches interactions and messages over the
 * gateway the way Discord does. Used by the end-to-end tests and by `npm run bench`, which is why
 * it lives under `src/` rather than `test/`.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One REST request the bot made, as Discord would have received it. */
export interface RecordedRequest {
  method: string;
  /** Decoded path below `/api/v10`, e.g. `/webhooks/1/tok/messages/@original`. */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body, or `undefined` for requests without one. */
  body: any;
  /** `performance.now()` when the request arrived. */
  at: number;
}

/** A user as the fake sends it in payloads. */
export interface FakeUser {
  id: string;
  username: string;
}

export interface FakeDiscordOptions {
  applicationId?: string;
  guildId?: string;
  channelId?: string;
  botUser?: FakeUser;
  /** Gateway heartbeat interval; short ones make zombie detection visible in tests. */
  heartbeatIntervalMs?: number;
  /**
   * The bot token Discord knows. When set, REST calls with another token get 401 and an IDENTIFY
   * with another token is closed with 4004, as Discord does; by default any token is accepted.
   */
  token?: string;
  /**
   * The privileged intents switched on in the Developer Portal (a bitfield of `PRIVILEGED_INTENTS`;
   * default: all). An IDENTIFY asking for one that is off is closed with 4014, as Discord does.
   */
  privilegedIntents?: number;
  /** True for a bot that has not been added to any server yet: READY lists no guild. */
  noGuild?: boolean;
  /** Roles of the guild besides @everyone, sent in GUILD_CREATE. */
  roles?: { id: string; name: string }[];
}

/** Gateway intent bits the fake acts on (discord-api-types' `GatewayIntentBits`). */
export const INTENT = { Guilds: 1 << 0, GuildMembers: 1 << 1, GuildPresences: 1 << 8, GuildMessages: 1 << 9, DirectMessages: 1 << 12, MessageContent: 1 << 15 } as const;

/** The intents Discord calls privileged: they must be switched on for the application first. */
export const PRIVILEGED_INTENTS = INTENT.GuildMembers | INTENT.GuildPresences | INTENT.MessageContent;

/** Where an interaction or message happens. */
export interface Where {
  user?: FakeUser;
  /** A guild channel or thread id; omitted means the default text channel. */
  channelId?: string;
  /** True for a direct message: no guild, a top-level `user` instead of `member`. */
  dm?: boolean;
  /** The member's permissions (a bit set as a decimal string; default: all) and role ids, in a guild. */
  member?: { permissions?: string; roles?: string[] };
}

/** A dispatched interaction: its ids and helpers to await what the bot did with it. */
export interface SentInteraction {
  id: string;
  token: string;
  /** `performance.now()` when the gateway frame was sent. */
  sentAt: number;
}

export interface SlashOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
}

const API_PREFIX = '/api/v10';
let snowflakeCounter = 0n;

/** Snowflake-shaped ids that increase, so ordering by id matches creation order. */
export function snowflake(): string {
  snowflakeCounter += 1n;
  return ((BigInt(Date.now() - 1420070400000) << 22n) + snowflakeCounter).toString();
}

export class FakeDiscord {
  readonly applicationId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly botUser: FakeUser;
  readonly requests: RecordedRequest[] = [];
  /** Messages the bot created, by id, so edits can return full objects. */
  readonly messages = new Map<string, any>();
  /** Threads the bot created, by id. */
  readonly threads = new Map<string, any>();
  /** Unexpected things (bad frames, unknown routes); tests assert it stays empty. */
  readonly problems: string[] = [];
  /** Registered commands by scope (`global` or a guild id). */
  readonly commands = new Map<string, any[]>();

  private readonly events = new EventEmitter();
  private readonly sockets = new Set<WebSocket>();
  private sequence = 0;
  private identified: WebSocket | undefined;
  /** The intents the identified client asked for. */
  private intents = 0;
  private port = 0;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly options: FakeDiscordOptions,
  ) {
    this.applicationId = options.applicationId ?? '100000000000000001';
    this.guildId = options.guildId ?? '200000000000000001';
    this.channelId = options.channelId ?? '300000000000000001';
    this.botUser = options.botUser ?? { id: this.applicationId, username: 'Litbot' };
    this.events.setMaxListeners(1000);
  }

  /** Starts the fake on a free port of 127.0.0.1. */
  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const http = createServer();
    const wss = new WebSocketServer({ noServer: true });
    const fake = new FakeDiscord(http, wss, options);
    http.on('request', (req, res) => void fake.handleHttp(req, res));
    http.on('upgrade', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => fake.handleSocket(ws));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    fake.port = (http.address() as AddressInfo).port;
    return fake;
  }

  /** The REST base URL to give the client (`rest.api`, or `DISCORD_API_URL`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  /** Resolves once a client has identified and received READY and GUILD_CREATE. */
  whenIdentified(timeoutMs = 10_000): Promise<void> {
    if (this.identified) return Promise.resolve();
    return withTimeout(new Promise<void>((resolve) => this.events.once('identified', () => resolve())), timeoutMs, 'IDENTIFY');
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ---------------------------------------------------------------- waiting

  /**
   * The first recorded request (from index `from` on) that matches, waiting for it when it has
   * not arrived yet. Rejects after `timeoutMs` naming what it waited for.
   */
  waitForRequest(match: (r: RecordedRequest) => boolean, options: { timeoutMs?: number; from?: number; what?: string } = {}): Promise<RecordedRequest> {
    const found = this.requests.slice(options.from ?? 0).find(match);
    if (found) return Promise.resolve(found);
    let listener: (r: RecordedRequest) => void = () => {};
    const promise = new Promise<RecordedRequest>((resolve) => {
      listener = (r) => {
        if (match(r)) resolve(r);
      };
      this.events.on('request', listener);
    });
    return withTimeout(promise, options.timeoutMs ?? 5_000, options.what ?? 'a request').finally(() => this.events.off('request', listener));
  }

  /** Every request made for one interaction (its callback and its webhook messages), in order. */
  requestsFor(interaction: SentInteraction): RecordedRequest[] {
    return this.requests.filter((r) => r.path.includes(`/${interaction.token}`));
  }

  /** The interaction's initial response (`POST /interactions/{id}/{token}/callback`). */
  callbackOf(interaction: SentInteraction, timeoutMs?: number): Promise<RecordedRequest> {
    return this.waitForRequest((r) => r.method === 'POST' && r.path === `/interactions/${interaction.id}/${interaction.token}/callback`, {
      timeoutMs,
      what: `the callback of interaction ${interaction.id}`,
    });
  }

  /** The first edit of the interaction's original response whose body passes `match`. */
  editOf(interaction: SentInteraction, match: (body: any) => boolean = () => true, timeoutMs?: number): Promise<RecordedRequest> {
    return this.waitForRequest((r) => r.method === 'PATCH' && r.path === `/webhooks/${this.applicationId}/${interaction.token}/messages/@original` && match(r.body), {
      timeoutMs,
      what: `an edit of interaction ${interaction.id}'s reply`,
    });
  }

  /** The `n`-th (0-based) follow-up message of the interaction. */
  async followUpOf(interaction: SentInteraction, n = 0, timeoutMs?: number): Promise<RecordedRequest> {
    const path = `/webhooks/${this.applicationId}/${interaction.token}`;
    let seen = 0;
    return this.waitForRequest((r) => r.method === 'POST' && r.path === path && seen++ === n, { timeoutMs, what: `follow-up ${n} of interaction ${interaction.id}` });
  }

  // ---------------------------------------------------------------- dispatching

  /** Dispatches a gateway event to the identified client. */
  dispatch(event: string, data: unknown): void {
    if (!this.identified) throw new Error('No client has identified yet');
    this.identified.send(JSON.stringify({ op: 0, t: event, s: ++this.sequence, d: data }));
  }

  /** A slash command, as a user types it. */
  slash(name: string, options: SlashOption[] = [], where: Where = {}): SentInteraction {
    return this.interaction(2, { id: this.commandId(name), name, type: 1, options }, where);
  }

  /** An autocomplete request for the focused option. */
  autocomplete(name: string, options: SlashOption[], where: Where = {}): SentInteraction {
    return this.interaction(4, { id: this.commandId(name), name, type: 1, options }, where);
  }

  /** A click on a button of `message` (a message object the bot sent, e.g. from a recorded body). */
  button(customId: string, message: any, where: Where = {}): SentInteraction {
    return this.interaction(3, { custom_id: customId, component_type: 2 }, where, { message: this.fullMessage({ ...message }) });
  }

  /** A submitted modal with text inputs (custom id → value). */
  modalSubmit(customId: string, values: Record<string, string>, where: Where = {}): SentInteraction {
    const components = Object.entries(values).map(([id, value]) => ({
      type: 1,
      components: [{ type: 4, custom_id: id, value }],
    }));
    return this.interaction(5, { custom_id: customId, components }, where);
  }

  /** A user's message in a channel, thread or DM. Returns the message object sent. */
  messageCreate(content: string, where: Where & { mentionsBot?: boolean } = {}): any {
    const user = where.user ?? defaultUser;
    const id = snowflake();
    const message: any = {
      id,
      type: 0,
      channel_id: where.dm ? this.dmChannelId(user) : (where.channelId ?? this.channelId),
      author: { ...user, discriminator: '0', avatar: null, global_name: user.username },
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: where.mentionsBot ? [{ ...this.botUser, discriminator: '0', avatar: null, bot: true }] : [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      flags: 0,
    };
    // Discord tells the type of a DM channel the client has not cached yet.
    if (where.dm) message.channel_type = 1;
    else {
      message.guild_id = this.guildId;
      message.member = { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 };
    }
    this.userMessages.set(id, message);
    // Discord sends message events only for the intents asked for, and without the Message Content
    // intent it blanks what a guild message says unless the message mentions the bot.
    if (!(this.intents & (where.dm ? INTENT.DirectMessages : INTENT.GuildMessages))) return message;
    const visible = where.dm || where.mentionsBot || this.intents & INTENT.MessageContent ? message : { ...message, content: '', embeds: [], attachments: [], components: [] };
    this.dispatch('MESSAGE_CREATE', visible);
    return message;
  }

  private readonly userMessages = new Map<string, any>();

  /** A thread a user (not the bot) started in the default channel, announced with THREAD_CREATE. */
  userThread(name: string, owner: FakeUser = defaultUser): string {
    const thread = {
      id: snowflake(),
      type: 11,
      guild_id: this.guildId,
      parent_id: this.channelId,
      owner_id: owner.id,
      name,
      last_message_id: null,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
      flags: 0,
      newly_created: true,
    };
    this.threads.set(thread.id, thread);
    this.dispatch('THREAD_CREATE', thread);
    return thread.id;
  }

  private dmChannelId(user: FakeUser): string {
    return `9${user.id.slice(1)}`;
  }

  private commandId(name: string): string {
    for (const list of this.commands.values()) {
      const found = list.find((c) => c.name === name);
      if (found) return found.id;
    }
    return '400000000000000001';
  }

  private interaction(type: number, data: unknown, where: Where, extra: Record<string, unknown> = {}): SentInteraction {
    const user = where.user ?? defaultUser;
    const id = snowflake();
    const token = `itok-${id}`;
    const apiUser = { id: user.id, username: user.username, discriminator: '0', avatar: null, global_name: user.username };
    const channelId = where.dm ? this.dmChannelId(user) : (where.channelId ?? this.channelId);
    const payload: Record<string, unknown> = {
      id,
      application_id: this.applicationId,
      type,
      token,
      version: 1,
      data,
      channel_id: channelId,
      channel: where.dm ? { id: channelId, type: 1 } : { id: channelId, type: this.threads.has(channelId) ? 11 : 0, guild_id: this.guildId },
      locale: 'en-US',
      app_permissions: '2251799813685247',
      entitlements: [],
      authorizing_integration_owners: where.dm ? { '1': user.id } : { '0': this.guildId },
      context: where.dm ? 1 : 0,
      attachment_size_limit: 8_388_608,
      ...extra,
    };
    if (where.dm) payload.user = apiUser;
    else {
      payload.guild_id = this.guildId;
      payload.guild_locale = 'en-US';
      payload.member = {
        user: apiUser,
        roles: where.member?.roles ?? [],
        permissions: where.member?.permissions ?? '2251799813685247',
        joined_at: new Date().toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
      };
    }
    const sentAt = performance.now();
    this.dispatch('INTERACTION_CREATE', payload);
    return { id, token, sentAt };
  }

  // ---------------------------------------------------------------- REST

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let path = decodeURIComponent(url.pathname);
    if (path.startsWith(API_PREFIX)) path = path.slice(API_PREFIX.length);
    let body: any;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const record: RecordedRequest = { method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), body, at: performance.now() };
    this.requests.push(record);
    // Interaction callbacks and webhooks are authorised by the interaction token; the rest by the bot token.
    const needsBotToken = !/^\/(interactions|webhooks)\//.test(path);
    const unauthorised = this.options.token !== undefined && needsBotToken && req.headers.authorization !== `Bot ${this.options.token}`;
    const [status, response] = unauthorised ? ([401, { message: '401: Unauthorized', code: 0 }] as [number, unknown]) : this.route(record);
    if (status === 404) this.problems.push(`unknown route ${record.method} ${path}`);
    if (response === undefined) {
      res.writeHead(status).end();
    } else {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(response));
    }
    this.events.emit('request', record);
  }

  private route(r: RecordedRequest): [number, unknown?] {
    const { method, path, body } = r;
    const app = this.applicationId;
    let m: RegExpMatchArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return [
        200,
        {
          url: `ws://127.0.0.1:${this.port}/gateway`,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
        },
      ];
    }
    if (method === 'GET' && path === '/gateway') return [200, { url: `ws://127.0.0.1:${this.port}/gateway` }];
    if (method === 'PUT' && (m = path.match(/^\/applications\/(\d+)\/(?:guilds\/(\d+)\/)?commands$/))) {
      const list = (body as any[]).map((c) => ({ id: snowflake(), application_id: m![1], version: snowflake(), type: 1, ...c }));
      this.commands.set(m[2] ?? 'global', list);
      return [200, list];
    }
    if (method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) return [204];
    if ((m = path.match(new RegExp(`^/webhooks/${app}/([^/]+)/messages/([^/]+)$`)))) {
      const key = `${m[1]}/${m[2]}`;
      if (method === 'DELETE') {
        this.messages.delete(key);
        return [204];
      }
      if (method === 'PATCH' || method === 'GET') {
        const previous = this.messages.get(key) ?? { id: m[2] === '@original' ? snowflake() : m[2], channel_id: this.channelId };
        const message = this.fullMessage({ ...previous, ...(method === 'PATCH' ? body : {}) });
        this.messages.set(key, message);
        return [200, message];
      }
    }
    if (method === 'POST' && (m = path.match(new RegExp(`^/webhooks/${app}/([^/]+)$`)))) {
      const message = this.fullMessage({ ...body, id: snowflake(), channel_id: this.channelId, webhook_id: app });
      this.messages.set(`${m[1]}/${message.id}`, message);
      return [200, message];
    }
    if (method === 'POST' && (m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/threads$/))) {
      const thread = {
        id: snowflake(),
        type: 11,
        guild_id: this.guildId,
        parent_id: m[1],
        owner_id: this.botUser.id,
        name: body?.name,
        last_message_id: null,
        rate_limit_per_user: 0,
        message_count: 0,
        member_count: 1,
        total_message_sent: 0,
        thread_metadata: { archived: false, auto_archive_duration: body?.auto_archive_duration ?? 1440, archive_timestamp: new Date().toISOString(), locked: false },
        member: { id: snowflake(), user_id: this.botUser.id, join_timestamp: new Date().toISOString(), flags: 0 },
        flags: 0,
      };
      this.threads.set(thread.id, thread);
      return [201, thread];
    }
    if (method === 'POST' && (m = path.match(/^\/channels\/(\d+)\/messages$/))) {
      const message = this.fullMessage({ ...body, id: snowflake(), channel_id: m[1] });
      this.messages.set(message.id, message);
      return [200, message];
    }
    if (method === 'PATCH' && (m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)$/))) {
      const previous = this.messages.get(m[2]);
      if (!previous) return [404, { message: 'Unknown Message', code: 10008 }];
      const message = this.fullMessage({ ...previous, ...body, id: m[2], channel_id: m[1], edited_timestamp: new Date().toISOString() });
      this.messages.set(m[2], message);
      return [200, message];
    }
    if (method === 'POST' && /^\/channels\/\d+\/typing$/.test(path)) return [204];
    if (method === 'POST' && path === '/users/@me/channels') return [200, { id: this.dmChannelId({ id: body.recipient_id, username: '' }), type: 1, recipients: [] }];
    return [404, { message: `Unknown route ${method} ${path}`, code: 0 }];
  }

  /** Fills in the fields discord.js needs to build a Message from a partial body. */
  private fullMessage(partial: any): any {
    return {
      type: 0,
      content: '',
      embeds: [],
      components: [],
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: 0,
      author: { ...this.botUser, discriminator: '0', avatar: null, bot: true },
      ...partial,
      id: partial.id ?? snowflake(),
      channel_id: partial.channel_id ?? this.channelId,
    };
  }

  // ---------------------------------------------------------------- gateway

  private handleSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => {
      this.sockets.delete(ws);
      if (this.identified === ws) this.identified = undefined;
    });
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.options.heartbeatIntervalMs ?? 41_250 } }));
    ws.on('message', (raw) => {
      let frame: any;
      try {
        frame = JSON.parse(String(raw));
      } catch {
        this.problems.push(`non-JSON gateway frame: ${String(raw).slice(0, 80)}`);
        return;
      }
      if (frame.op === 1) ws.send(JSON.stringify({ op: 11 }));
      else if (frame.op === 2) this.identify(ws, frame.d);
      else if (frame.op === 6) ws.send(JSON.stringify({ op: 0, t: 'RESUMED', s: ++this.sequence, d: {} }));
    });
  }

  /** Checks an IDENTIFY the way Discord does (token, intents) and closes with Discord's code when it fails. */
  private identify(ws: WebSocket, identify: any): void {
    this.identifies.push(identify);
    if (this.options.token !== undefined && identify?.token !== this.options.token) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    if (!Number.isInteger(identify?.intents)) {
      this.problems.push(`IDENTIFY without intents: ${JSON.stringify(identify?.intents)}`);
      ws.close(4013, 'Invalid intent(s).');
      return;
    }
    const enabled = this.options.privilegedIntents ?? PRIVILEGED_INTENTS;
    if (identify.intents & PRIVILEGED_INTENTS & ~enabled) {
      ws.close(4014, 'Disallowed intent(s).');
      return;
    }
    this.intents = identify.intents;
    this.ready(ws, identify);
  }

  private ready(ws: WebSocket, identify: any): void {
    this.identified = ws;
    this.identifyPayload = identify;
    const send = (t: string, d: unknown) => ws.send(JSON.stringify({ op: 0, t, s: ++this.sequence, d }));
    send('READY', {
      v: 10,
      user: { ...this.botUser, discriminator: '0', avatar: null, bot: true, verified: true, flags: 0 },
      guilds: this.options.noGuild ? [] : [{ id: this.guildId, unavailable: true }],
      session_id: `session-${snowflake()}`,
      resume_gateway_url: `ws://127.0.0.1:${this.port}/gateway`,
      shard: identify?.shard ?? [0, 1],
      application: { id: this.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
    });
    if (this.options.noGuild) {
      this.events.emit('identified');
      return;
    }
    send('GUILD_CREATE', {
      id: this.guildId,
      name: 'Fake guild',
      icon: null,
      owner_id: '1',
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      features: [],
      mfa_level: 0,
      system_channel_flags: 0,
      premium_tier: 0,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      roles: [
        { id: this.guildId, name: '@everyone', permissions: '2251799813685247', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
        ...(this.options.roles ?? []).map((r, i) => ({ ...r, permissions: '0', position: i + 1, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 })),
      ],
      emojis: [],
      stickers: [],
      channels: [
        {
          id: this.channelId,
          type: 0,
          guild_id: this.guildId,
          name: 'papers',
          position: 0,
          permission_overwrites: [],
          nsfw: false,
          parent_id: null,
          last_message_id: null,
          rate_limit_per_user: 0,
          flags: 0,
        },
      ],
      threads: [...this.threads.values()],
      members: [],
      voice_states: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      member_count: 2,
      large: false,
      unavailable: false,
      joined_at: new Date().toISOString(),
    });
    this.events.emit('identified');
  }

  /** The IDENTIFY payload of the last client (intents, shard), for assertions. */
  identifyPayload: any;
  /** Every IDENTIFY received (one per shard and connection), refused ones included. */
  readonly identifies: any[] = [];
}

/** The user interactions and messages come from unless a test names another. */
export const defaultUser: FakeUser = { id: '500000000000000001', username: 'reader' };

/** A distinct user per index, for tests and benchmarks with many people. */
export function fakeUser(index: number): FakeUser {
  return { id: (500000000000000100n + BigInt(index)).toString(), username: `reader${index}` };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
    // A wait that lost a race must not keep the process alive.
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
