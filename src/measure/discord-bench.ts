/**
 * The Discord part of `npm run bench`: 50 users send `/ask` at the same moment to the real bot
 * (real discord.js client, real index, extractive answers) through the fake Discord on
 * 127.0.0.1. Prints the time from each interaction to its deferral (Discord requires one within
 * 3 s) and to its final answer, and how many were left unanswered.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Env } from '../config/env.js';
import { createLogger } from '../config/logger.js';
import { projectPath } from '../config/paths.js';
import { startBot } from '../discord/bot.js';
import { FakeDiscord, fakeUser, type SentInteraction } from '../discord/testing/fake-discord.js';
import { createLitbot, type Litbot } from '../litbot.js';

const USERS = 50;
const ANSWER_TIMEOUT_MS = 120_000;

export interface DiscordBenchOptions {
  /** A Litbot to reuse (the caller may already have one loaded); default: `createLitbot()` over `INDEX_DIR`. */
  litbot?: Litbot;
  env?: Env;
  users?: number;
}

/** Runs the benchmark and prints its figures through `log`, one line each. */
export async function runDiscordBench(log: (line: string) => void, options: DiscordBenchOptions = {}): Promise<void> {
  const base = options.env ?? loadConfig();
  const users = options.users ?? USERS;
  const env: Env = { ...base, LLM_PROVIDER: 'extractive', LLM_MODEL: undefined };
  const litbot = options.litbot ?? (await createLitbot({ env, buildIfMissing: true, preload: true, log }));
  const questions = benchQuestions(users);
  const fake = await FakeDiscord.start();
  const bot = await startBot({
    env: {
      ...env,
      DISCORD_TOKEN: 'bench-token-not-a-secret',
      DISCORD_CLIENT_ID: fake.applicationId,
      DISCORD_GUILD_ID: undefined,
      DISCORD_API_URL: fake.apiUrl,
      RATE_LIMIT_COUNT: 1_000,
      FEEDBACK_FILE: join(mkdtempSync(join(tmpdir(), 'litbot-bench-')), 'feedback.jsonl'),
    },
    litbot,
    logger: createLogger({ LOG_LEVEL: 'warn' }),
  });
  try {
    // One question first, so that model warm-up does not count against the first user.
    const warm = fake.slash('ask', [{ name: 'question', type: 3, value: questions[0] }], { user: fakeUser(999) });
    await fake.editOf(warm, (b) => (b.components?.length ?? 0) > 0, ANSWER_TIMEOUT_MS);

    const sent: SentInteraction[] = questions.map((q, i) => fake.slash('ask', [{ name: 'question', type: 3, value: q }], { user: fakeUser(i) }));
    const results = await Promise.all(
      sent.map(async (interaction) => {
        const deferred = await fake.callbackOf(interaction, ANSWER_TIMEOUT_MS).catch(() => undefined);
        // The answer is the edit with buttons; a failure ends in a private follow-up instead.
        const answered = await Promise.race([
          fake.editOf(interaction, (b) => (b.components?.length ?? 0) > 0, ANSWER_TIMEOUT_MS),
          fake.followUpOf(interaction, 0, ANSWER_TIMEOUT_MS).then((r) => ({ ...r, failed: true })),
        ]).catch(() => undefined);
        return {
          deferMs: deferred ? deferred.at - interaction.sentAt : undefined,
          deferredFirst: deferred?.body?.type === 5,
          answerMs: answered ? answered.at - interaction.sentAt : undefined,
          failed: answered !== undefined && 'failed' in answered,
        };
      }),
    );
    const defers = results.map((r) => r.deferMs).filter((v): v is number => v !== undefined);
    const answers = results
      .filter((r) => !r.failed)
      .map((r) => r.answerMs)
      .filter((v): v is number => v !== undefined);
    const unanswered = results.filter((r) => r.deferMs === undefined || r.answerMs === undefined).length;
    log(`Discord: ${users} concurrent /ask from different users, real discord.js client against the fake Discord, extractive backend`);
    log(
      `  interaction -> deferral:     p50 ${ms(quantile(defers, 0.5))}  p95 ${ms(quantile(defers, 0.95))}  max ${ms(Math.max(...defers))}  (target p95 <= 200 ms; Discord's limit 3 s)`,
    );
    log(`  interaction -> final answer: p50 ${ms(quantile(answers, 0.5))}  p95 ${ms(quantile(answers, 0.95))}  max ${ms(Math.max(...answers))}`);
    log(
      `  deferred before answering: ${results.filter((r) => r.deferredFirst).length}/${users}; failed answers: ${results.filter((r) => r.failed).length}; unanswered: ${unanswered}`,
    );
  } finally {
    await bot.stop();
    await fake.close();
    if (!options.litbot) await litbot.close();
  }
}

/** Answerable questions from the labelled set, padded with paper-style questions if short. */
function benchQuestions(n: number): string[] {
  const file = projectPath('test', 'fixtures', 'questions.json');
  const all = JSON.parse(readFileSync(file, 'utf8')) as { question: string; kind: string }[];
  const picked = all.filter((q) => q.kind === 'answerable').map((q) => q.question);
  while (picked.length < n) picked.push(`What is known about ${picked[picked.length % 10]}`);
  return picked.slice(0, n);
}

function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a';
}

// `tsx src/measure/discord-bench.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  runDiscordBench((line) => console.log(line)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
