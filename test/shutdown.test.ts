/**
 * Shutting down without losing answers. In process: the grace period and the restart notice,
 * deterministically. On the real process tree: `npm start` (npm, then node exec'd in its place)
 * with the fake Discord and a slow fake LLM, several /ask in flight, then SIGTERM to the process
 * group as Ctrl-C, systemd and Docker send it, or to the npm process alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { RESTARTING } from '../src/discord/bot.js';
import { FakeDiscord, fakeUser, type SentInteraction } from '../src/discord/testing/fake-discord.js';
import { TEST_TOKEN, startHarness, str, waitUntil } from './helpers/discord-harness.js';
import { startSlowOpenAI, type SlowOpenAI } from './helpers/slow-openai.js';
import { createTestLitbot } from './helpers/test-litbot.js';

const ROOT = resolve(import.meta.dirname, '..');
const REPLY = 'Models forget earlier tasks when training on a new task overwrites the weights the old ones relied on [1].';

let llm: SlowOpenAI;
beforeAll(async () => {
  // About 3 s per answer: 20 pieces, 150 ms apart.
  llm = await startSlowOpenAI(() => REPLY, { delayMs: 150, chunks: 20 });
});
afterAll(() => llm?.close());

/** The last state of the interaction's reply: its final answer, the restart notice, or something else. */
function finalReply(fake: FakeDiscord, i: SentInteraction): 'answer' | 'restart notice' | string {
  const edits = fake.requestsFor(i).filter((r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original'));
  const last = edits.at(-1)?.body;
  if (!last) return 'no edit after the deferral';
  if (last.content === RESTARTING && last.embeds?.length === 0) return 'restart notice';
  if (last.embeds?.[0]?.description?.includes('**Sources**')) return 'answer';
  return JSON.stringify(last).slice(0, 200);
}

describe('stopping the bot', () => {
  it('finishes what it can within the grace period, ends the rest with a restart notice, and tells new requests it is restarting', async () => {
    const llmEnv = { LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.url, LLM_MODEL: 'fake' };
    const { litbot } = await createTestLitbot(llmEnv);
    const h = await startHarness(litbot, { ...llmEnv, SHUTDOWN_GRACE_MS: '500' }, { streamEditIntervalMs: 100 });
    const question = 'How do language models forget earlier tasks during continual learning?';
    const asks = [0, 1, 2].map((n) => h.fake.slash('ask', [str('question', `${question} (${n})`)], { user: fakeUser(n) }));
    for (const i of asks) await h.fake.callbackOf(i);
    const mention = h.fake.messageCreate(`<@${h.fake.botUser.id}> ${question}`, { mentionsBot: true, user: fakeUser(3) });
    const thread = await h.fake.waitForRequest((r) => r.path.endsWith(`/messages/${mention.id}/threads`));
    const stopping = h.bot.stop();
    // A request arriving during the grace period is not started.
    const late = h.fake.slash('about', [], { user: fakeUser(9) });
    expect((await h.fake.callbackOf(late)).body).toMatchObject({ type: 4, data: { content: 'Litbot is restarting; please try again in a minute.', flags: 64 } });
    await stopping;
    // Answers take about 3 s and the grace period is 0.5 s: each gets the notice in place of its reply.
    expect(asks.map((i) => finalReply(h.fake, i))).toEqual(['restart notice', 'restart notice', 'restart notice']);
    const threadId = [...h.fake.threads.values()].find((t) => t.name === thread.body.name)!.id;
    // Whatever was still being written, the notice is the last thing the thread gets.
    await new Promise((r) => setTimeout(r, 4_000));
    const inThread = h.fake.requests.filter((r) => r.path.startsWith(`/channels/${threadId}/messages`) && (r.method === 'POST' || r.method === 'PATCH'));
    expect(inThread.at(-1)!.body.content).toBe(RESTARTING);
    for (const i of asks) expect(finalReply(h.fake, i)).toBe('restart notice');
    expect(h.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['finishing the requests in flight', 'grace period over: ending the requests still in flight with a restart notice', 'bot stopped']),
    );
    expect(h.logs.find((l) => l.msg === 'finishing the requests in flight')).toMatchObject({ inFlight: 4, graceMs: 500 });
    await h.fake.close();
    await litbot.close();
  }, 120_000);
});

describe('npm start on SIGTERM', () => {
  const root = mkdtempSync(join(tmpdir(), 'litbot-shutdown-'));
  const corpus = join(root, 'corpus');
  let child: ChildProcess | undefined;

  beforeAll(() => {
    mkdirSync(corpus);
    const seeds = loadCorpus('seeds').papers.slice(0, 4);
    writeFileSync(join(corpus, 'papers.jsonl'), seeds.map((p) => JSON.stringify({ title: p.title, abstract: p.abstract })).join('\n') + '\n');
  });
  afterEach(() => {
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  });

  /** `npm start` in its own process group, as a terminal, systemd or Docker runs it. */
  function npmStart(fake: FakeDiscord) {
    let output = '';
    child = spawn('npm', ['start'], {
      cwd: ROOT,
      detached: true,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DISCORD_TOKEN: TEST_TOKEN,
        DISCORD_CLIENT_ID: fake.applicationId,
        DISCORD_GUILD_ID: fake.guildId,
        DISCORD_API_URL: fake.apiUrl,
        CORPUS_DIR: corpus,
        INDEX_DIR: join(root, 'index'),
        CACHE_DIR: join(root, 'cache'),
        FEEDBACK_FILE: join(root, 'feedback.jsonl'),
        LLM_PROVIDER: 'openai',
        LLM_BASE_URL: llm.url,
        LLM_MODEL: 'fake',
        LLM_MAX_CONCURRENCY: '2',
        SHUTDOWN_GRACE_MS: '4000',
        LOG_LEVEL: 'info',
      },
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((done) => child!.on('close', (code) => done(code)));
    const logs = () =>
      output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
    return { pid: child.pid!, exited, logs, output: () => output };
  }

  /** True while any process of the group is alive. */
  function groupAlive(pgid: number): boolean {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }

  it('answers or politely ends every deferred /ask, logs the shutdown, and exits 0 when the process group is signalled', async () => {
    const fake = await FakeDiscord.start();
    const bot = npmStart(fake);
    // The first start builds the small index (and dist/ when the sources changed).
    await waitUntil(() => bot.logs().some((l) => l.msg === 'bot ready'), 400_000);
    const asks = [0, 1, 2, 3, 4, 5].map((n) => fake.slash('ask', [str('question', `Why do language models forget earlier tasks? (${n})`)], { user: fakeUser(n) }));
    for (const i of asks) expect((await fake.callbackOf(i, 20_000)).body.type).toBe(5);
    process.kill(-bot.pid, 'SIGTERM');
    expect(await bot.exited).toBe(0);
    const outcomes = asks.map((i) => finalReply(fake, i));
    for (const outcome of outcomes) expect(['answer', 'restart notice']).toContain(outcome);
    const messages = bot.logs().map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['shutting down', 'bot stopped']));
    expect(bot.logs().find((l) => l.msg === 'shutting down')).toMatchObject({ signal: 'SIGTERM', graceMs: 4000 });
    expect(groupAlive(bot.pid)).toBe(false);
    expect(bot.output()).not.toContain(TEST_TOKEN);
    await fake.close();
  }, 600_000);

  it('stops the bot the same way when only the npm process is signalled', async () => {
    const fake = await FakeDiscord.start();
    const bot = npmStart(fake);
    await waitUntil(() => bot.logs().some((l) => l.msg === 'bot ready'), 400_000);
    const asks = [0, 1, 2].map((n) => fake.slash('ask', [str('question', `What makes continual learning hard? (${n})`)], { user: fakeUser(n) }));
    for (const i of asks) await fake.callbackOf(i, 20_000);
    process.kill(bot.pid, 'SIGTERM');
    expect(await bot.exited).toBe(0);
    for (const i of asks) expect(['answer', 'restart notice']).toContain(finalReply(fake, i));
    expect(bot.logs().find((l) => l.msg === 'shutting down')).toMatchObject({ signal: 'SIGTERM' });
    // Nothing of the bot is left running.
    await waitUntil(() => !groupAlive(bot.pid), 5_000);
    await fake.close();
  }, 600_000);
});
