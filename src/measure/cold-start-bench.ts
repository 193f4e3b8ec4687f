/**
 * Cold-start figures for `npm run bench`: the wall time of one-shot `search`, `paper` and `ask`
 * with a built index, and the bot's time from process start to "bot ready" against the fake
 * Discord. Each runs in a new process, the way a user runs it, three ways side by side: the
 * TypeScript sources through tsx (how the scripts ran before the compiled build), the compiled
 * build with plain node, and the full `npm run -s` / `npm start` command a user types.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Env } from '../config/env.js';
import { projectPath } from '../config/paths.js';
import { FakeDiscord } from '../discord/testing/fake-discord.js';

/** How one measured command is started in each of the three ways. */
interface Way {
  name: string;
  /** The command line for a CLI script (`script` is e.g. `cli/search`), or undefined when this way cannot run here. */
  command(script: string, args: string[]): [string, string[]] | undefined;
}

const TSX = projectPath('node_modules', '.bin', 'tsx');
const CHECK = './scripts/check-build.mjs';
const NPM_SCRIPTS: Record<string, string> = { 'cli/search': 'search', 'cli/paper': 'paper', 'cli/ask': 'ask', 'discord/start': 'start' };

const WAYS: Way[] = [
  { name: 'tsx (before)', command: (script, args) => (existsSync(TSX) ? [TSX, [`src/${script}.ts`, ...args]] : undefined) },
  { name: 'compiled', command: (script, args) => [process.execPath, ['--import', CHECK, `dist/src/${script}.js`, ...args]] },
  {
    name: 'npm run -s',
    command: (script, args) => {
      const name = NPM_SCRIPTS[script];
      if (name === 'start') return ['npm', ['start', '-s']];
      return ['npm', ['run', '-s', name, ...(args.length ? ['--', ...args] : [])]];
    },
  },
];

/** What is measured: a one-shot command, or the bot up to its ready line. */
interface Case {
  label: string;
  script: string;
  args: string[];
  targetS?: number;
}

const CASES: Case[] = [
  { label: 'search "model merging"', script: 'cli/search', args: ['--k', '5', 'model merging'], targetS: 1.5 },
  { label: 'paper "lora dropout"', script: 'cli/paper', args: ['lora dropout'], targetS: 1 },
  { label: 'ask (extractive)', script: 'cli/ask', args: ['How do LLMs forget during continual fine-tuning?'] },
  { label: 'bot: start to ready', script: 'discord/start', args: [], targetS: 3 },
];

export interface ColdStartOptions {
  /** Settings for the child processes: the built index and its cache (INDEX_DIR, CACHE_DIR, CORPUS_DIR, EMBEDDINGS). */
  env: Env;
  /** Timed runs per command and way, after one untimed run that warms the file cache (default 3). */
  runs?: number;
  log: (line: string) => void;
}

/** Runs every case every way and prints one table: median and range of the wall times. */
export async function runColdStartBench(options: ColdStartOptions): Promise<void> {
  const runs = options.runs ?? 3;
  const { log } = options;
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    CORPUS_DIR: options.env.CORPUS_DIR,
    INDEX_DIR: options.env.INDEX_DIR,
    CACHE_DIR: options.env.CACHE_DIR,
    EMBEDDINGS: options.env.EMBEDDINGS,
    LLM_PROVIDER: 'extractive',
    LOG_LEVEL: 'info',
  };
  log(`Cold start: a new process per run, the built index in ${options.env.INDEX_DIR}; median of ${runs} runs (min-max) after one warm-up, wall time`);
  log(`  ${'command'.padEnd(24)}${WAYS.map((w) => w.name.padStart(22)).join('')}${'target'.padStart(10)}`);
  for (const c of CASES) {
    const cells: string[] = [];
    for (const way of WAYS) {
      const times: number[] = [];
      let failure: string | undefined;
      for (let n = 0; n <= runs && !failure; n++) {
        const result = c.script === 'discord/start' ? await timeBot(way, childEnv) : await timeCommand(way, c, childEnv);
        if (typeof result === 'string') failure = result;
        else if (n > 0) times.push(result);
      }
      cells.push((failure ?? summary(times)).padStart(22));
      if (failure && failure !== 'n/a') log(`  (${c.label}, ${way.name}: ${failure})`);
    }
    log(`  ${c.label.padEnd(24)}${cells.join('')}${(c.targetS ? `<= ${c.targetS} s` : '').padStart(10)}`);
  }
}

function summary(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `${(median / 1000).toFixed(2)} s (${(sorted[0] / 1000).toFixed(2)}-${(sorted.at(-1)! / 1000).toFixed(2)})`;
}

/** Milliseconds from spawn to exit of a one-shot command, or why it failed. */
async function timeCommand(way: Way, c: Case, env: NodeJS.ProcessEnv): Promise<number | string> {
  const line = way.command(c.script, c.args);
  if (!line) return 'n/a';
  const started = performance.now();
  const child = spawn(line[0], line[1], { cwd: projectPath(), env: { ...env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = performance.now() - started;
  if (code !== 0 || !stdout.trim()) return `exit ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`.slice(0, 160);
  return ms;
}

/** Milliseconds from spawn to the bot's "bot ready" log line against a fresh fake Discord, or why it failed. */
async function timeBot(way: Way, env: NodeJS.ProcessEnv): Promise<number | string> {
  const line = way.command('discord/start', []);
  if (!line) return 'n/a';
  const fake = await FakeDiscord.start();
  try {
    const started = performance.now();
    const child = spawn(line[0], line[1], {
      cwd: projectPath(),
      detached: true,
      env: {
        ...env,
        DISCORD_TOKEN: 'MTAwMDAwMDAwMDAwMDAwMDAx.Gbench.abcdefghijklmnopqrstuvwxyz0123456789AB',
        DISCORD_CLIENT_ID: fake.applicationId,
        DISCORD_GUILD_ID: fake.guildId,
        DISCORD_API_URL: fake.apiUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const closed = new Promise((resolve) => child.on('close', resolve));
    let output = '';
    const ready = new Promise<number | string>((resolve) => {
      const onData = (d: Buffer) => {
        output += d;
        if (output.includes('"msg":"bot ready"')) resolve(performance.now() - started);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('close', (code) => resolve(`exited ${code} before ready: ${output.trim().split('\n').at(-1) ?? ''}`.slice(0, 160)));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const result = await ready;
    clearTimeout(timer);
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
    await closed;
    return result;
  } finally {
    await fake.close();
  }
}
