/**
 * The answer-latency section of `npm run bench`: every question of the labelled sets asked once
 * through the offline answerer in one warm process, with p50 and p95 per reply kind (answers,
 * lists, overviews, small talk, declines) and overall. Issue 12's budget: p50 under 50 ms.
 */
import type { AnswerKind } from '../answer/types.js';
import type { Litbot } from '../litbot.js';
import { readLabelledSet } from './answer-eval.js';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Asks each question of `files` once (after a few warm-up questions) and prints the latencies by reply kind. */
export async function runAnswerBench(litbot: Pick<Litbot, 'ask'>, files: string[], log: (line: string) => void): Promise<{ p50: number; p95: number }> {
  const questions = files.flatMap((f) => readLabelledSet(f).questions.map((q) => q.question));
  for (const q of questions.slice(0, 5)) await litbot.ask(q);
  const all: number[] = [];
  const byKind = new Map<AnswerKind, number[]>();
  for (const q of questions) {
    const t = performance.now();
    const r = await litbot.ask(q);
    const ms = performance.now() - t;
    all.push(ms);
    byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), ms]);
  }
  const line = (name: string, v: number[]) => `  ${name.padEnd(10)} n=${String(v.length).padEnd(4)} p50 ${percentile(v, 50).toFixed(1)} ms   p95 ${percentile(v, 95).toFixed(1)} ms`;
  log(`Answers, offline (extractive), warm, one process, ${questions.length} questions from ${files.join(' and ')}; target p50 < 50 ms`);
  log(line('all', all));
  for (const [kind, v] of [...byKind].sort(([a], [b]) => a.localeCompare(b))) log(line(kind, v));
  return { p50: percentile(all, 50), p95: percentile(all, 95) };
}
