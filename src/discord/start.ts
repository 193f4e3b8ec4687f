/**
 * `npm start`: checks the configuration, logs in to Discord while the index loads (building it
 * first if there is none), and runs the bot until SIGINT or SIGTERM, then shuts down gracefully.
 * With `SHARDS=auto` or `SHARDS=<n>` it runs discord.js's ShardingManager instead, which starts
 * this same file once per shard.
 *
 * Signals: Ctrl-C, systemd and Docker signal the whole process group, and npm forwards what it
 * gets to this process (`npm start` execs node, so no shell sits in between to die first). So the
 * same signal may arrive twice; the first starts the shutdown, repeats are noted and ignored, and
 * a shutdown that overruns the grace period by far is ended with exit code 1.
 */
import { fileURLToPath } from 'node:url';
import { REST, Routes, ShardingManager, type RESTGetAPIGatewayBotResult } from 'discord.js';
import type { Logger } from 'pino';
import { loadConfig, requireDiscord, type Env } from '../config/env.js';
import { createLogger } from '../config/logger.js';
import { ConfigError, DiscordLoginError, errorMessage } from '../errors.js';
import { hnswlib } from '../indexing/hnswlib-build.js';
import { createLitbot, describeIndexEvent, type Litbot } from '../litbot.js';
import { startBot, type RunningBot } from './bot.js';

/** Passed to shard processes so they run the bot rather than another manager. */
const SHARD_FLAG = '--litbot-shard';
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** Beyond the grace period, how long closing connections may take before the process gives up on them. */
const CLOSE_MARGIN_MS = 10_000;

async function main(): Promise<void> {
  const isShard = process.argv.includes(SHARD_FLAG);
  // In a shard, SHARDS is not Litbot's setting but the shard id discord.js's ShardingManager hands
  // its client ("0", "1", ...); the manager process checked Litbot's, and .env is already in the
  // environment it passed on.
  const env = isShard ? loadConfig({ ...process.env, SHARDS: '' }) : loadConfig();
  const discord = requireDiscord(env);
  const logger = createLogger(env);
  if (env.SHARDS && !isShard) {
    await runShards(env, discord, logger);
    return;
  }

  let bot: RunningBot | undefined;
  let litbot: Litbot | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.info({ signal }, 'already shutting down');
      return;
    }
    stopping = true;
    logger.info({ signal, graceMs: env.SHUTDOWN_GRACE_MS, started: bot !== undefined }, 'shutting down');
    setTimeout(() => {
      logger.error({ graceMs: env.SHUTDOWN_GRACE_MS }, 'shutdown overran the grace period; exiting now');
      process.exit(1);
    }, env.SHUTDOWN_GRACE_MS + CLOSE_MARGIN_MS).unref();
    try {
      // Before the bot is up there is nothing in flight; an index still building is left as it is
      // (a build only replaces the current index when it completes).
      await bot?.stop();
      await litbot?.close();
    } catch (error) {
      logger.error({ err: error }, 'error while shutting down');
      process.exit(1);
    }
    process.exit(0);
  };
  for (const signal of SIGNALS) process.on(signal, () => void shutdown(signal));

  const loading = createLitbot({
    env,
    buildIfMissing: true,
    preload: true,
    log: (line) => logger.info(line),
    logger,
    // Each new index (npm run index, or /add) is served without a restart.
    watch: true,
    onIndexEvent: (event) => {
      if (event.type === 'swapped') logger.info({ index: event }, describeIndexEvent(event));
      else logger.warn(event.type === 'failed' ? { err: event.error, generation: event.generation, serving: event.serving } : {}, describeIndexEvent(event));
    },
  }).then((loaded) => {
    litbot = loaded;
    logger.info({ addon: hnswlib().detail }, 'vector index: hnswlib-node');
    return loaded;
  });
  bot = await startBot({
    env,
    litbot: loading,
    logger,
    // Outside a sharding manager, pin the single shard: discord.js would otherwise read (and
    // choke on) a `SHARDS=` line left empty in `.env`.
    clientOptions: isShard ? {} : { shards: [0], shardCount: 1 },
  });
}

/** Runs one process per shard. `auto` asks Discord (through `DISCORD_API_URL` when set) how many. */
async function runShards(env: Env, discord: ReturnType<typeof requireDiscord>, logger: Logger): Promise<void> {
  let totalShards: number;
  if (env.SHARDS === 'auto') {
    const rest = new REST(discord.apiUrl ? { api: discord.apiUrl } : {}).setToken(discord.token);
    totalShards = ((await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult).shards;
  } else {
    totalShards = Number(env.SHARDS);
  }
  const manager = new ShardingManager(fileURLToPath(import.meta.url), {
    token: discord.token,
    totalShards,
    shardArgs: [SHARD_FLAG],
    // The same loader flags as this process: under `npm run dev` the shards are TypeScript too.
    execArgv: [...process.execArgv],
  });
  manager.on('shardCreate', (shard) => {
    logger.info({ shard: shard.id, totalShards }, 'shard started');
    // A shard that dies while being respawned reports it here; unheard, it would end this process with a stack.
    shard.on('error', (error) => logger.error({ shard: shard.id, err: error }, `shard ${shard.id} failed: ${errorMessage(error)}`));
  });

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    manager.respawn = false;
    logger.info({ signal, shards: manager.shards.size }, 'stopping shards');
    setTimeout(() => process.exit(1), env.SHUTDOWN_GRACE_MS + CLOSE_MARGIN_MS).unref();
    // Each shard shuts down gracefully on the signal; when only this process was signalled, pass it on.
    const exits = [...manager.shards.values()].map((shard) => {
      const child = shard.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      return exited;
    });
    await Promise.all(exits);
    logger.info('shards stopped');
    process.exit(0);
  };
  for (const signal of SIGNALS) process.on(signal, () => void shutdown(signal));
  await manager.spawn();
}

/**
 * The exit code for a configuration Litbot cannot run with (sysexits' EX_CONFIG): a missing or
 * invalid variable, a token or intent Discord refuses. Service managers are told not to restart
 * on it (docs/deploy/), since a restart would only repeat the error.
 */
export const EXIT_CONFIG = 78;

main().catch((error: unknown) => {
  // Expected failures (configuration, a refused login, a bad corpus) carry a message that names the fix.
  process.stderr.write(`${errorMessage(error)}\n`);
  const config = error instanceof ConfigError || (error instanceof DiscordLoginError && !error.retryable);
  process.exit(config ? EXIT_CONFIG : 1);
});
