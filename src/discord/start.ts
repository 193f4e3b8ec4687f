/**
 * `npm start`: checks the configuration, builds the index if there is none, and runs the bot
 * until SIGINT or SIGTERM. With `SHARDS=auto` or `SHARDS=<n>` it runs discord.js's
 * ShardingManager instead, which starts this same file once per shard group.
 */
import { fileURLToPath } from 'node:url';
import { REST, Routes, ShardingManager, type RESTGetAPIGatewayBotResult } from 'discord.js';
import type { Logger } from 'pino';
import { loadConfig, requireDiscord, type Env } from '../config/env.js';
import { createLogger } from '../config/logger.js';
import { errorMessage } from '../errors.js';
import { hnswlib } from '../indexing/hnswlib-build.js';
import { createLitbot, describeIndexEvent } from '../litbot.js';
import { startBot } from './bot.js';

/** Passed to shard processes so they run the bot rather than another manager. */
const SHARD_FLAG = '--litbot-shard';

async function main(): Promise<void> {
  const env = loadConfig();
  const discord = requireDiscord(env);
  const logger = createLogger(env);
  const isShard = process.argv.includes(SHARD_FLAG);
  if (env.SHARDS && !isShard) {
    await runShards(env, discord, logger);
    return;
  }

  const litbot = await createLitbot({
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
  });
  logger.info({ addon: hnswlib().detail }, 'vector index: hnswlib-node');
  const bot = await startBot({
    env,
    litbot,
    logger,
    // Outside a sharding manager, pin the single shard: discord.js would otherwise read (and
    // choke on) a `SHARDS=` line left empty in `.env`.
    clientOptions: isShard ? {} : { shards: [0], shardCount: 1 },
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await bot.stop();
      await litbot.close();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
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
    // Shards are TypeScript too: run them through the same loader as this process.
    execArgv: [...process.execArgv],
  });
  manager.on('shardCreate', (shard) => logger.info({ shard: shard.id, totalShards }, 'shard started'));
  await manager.spawn();
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'stopping shards');
    // Each shard gets the signal too (same process group) and shuts down on its own.
    for (const shard of manager.shards.values()) shard.kill();
    process.exit(0);
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${errorMessage(error)}\n`);
  process.exit(1);
});
