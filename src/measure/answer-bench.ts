/**
 * The answer bench: offline answers (`ask`, extractive backend) to the labelled questions of both
 * sets, timed one at a time in a warm process: retrieval with typo correction and the learned
 * ranker, the fitted decision, and composing; p50 and p95 overall and per reply kind (answers,
 * lists, overviews, small talk, declines). Issue 12's budget is 50 ms p50.
 */
import type { AnswerKind } from '../answer/types.js';
import { loadConfig } from '../config/env.js';
import { createLitbot } from '../litbot.js';
import { loadQuestions } from './labelled-questions.js';

/** The value below which `p` percent of `values` lie (the floor rank; 0 for none), as every bench reports it. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Times `ask` on every question of `files` in the index at `indexDir`, after a few warm-up questions. */
export async function runAnswerBench(indexDir: string, files: string[], log: (line: string) => void): Promise<{ p50: number; p95: number }> {
  const env = { ...loadConfig(), LLM_PROVIDER: 'extractive' as const };
  const litbot = await createLitbot({ env, indexDir, log: () => {} });
  const questions = files.flatMap((f) => loadQuestions(f).map((q) => q.question));
  // The first questions load the spelling dictionaries and warm the caches; a running bot pays that once.
  for (const q of questions.slice(0, 5)) await litbot.ask(q);
  const total: number[] = [];
  const retrieve: number[] = [];
  const byKind = new Map<AnswerKind, number[]>();
  for (const q of questions) {
    const t = performance.now();
    const r = await litbot.ask(q);
    const ms = performance.now() - t;
    total.push(ms);
    retrieve.push(r.timings.retrieveMs);
    byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), ms]);
  }
  const line = (name: string, v: number[]) =>
    `  ${name.padEnd(10)} n=${String(v.length).padEnd(4)} p50 ${percentile(v, 50).toFixed(1)} ms   p95 ${percentile(v, 95).toFixed(1)} ms`;
  log(`Answers, warm, one process, extractive, ${questions.length} questions (${files.join(', ')}); budget: 50 ms p50`);
  log(line('all', total));
  log(`${line('retrieval', retrieve)}   (typo correction, embedding, HNSW, BM25, learned ranker)`);
  for (const [kind, v] of [...byKind].sort(([a], [b]) => a.localeCompare(b))) log(line(kind, v));
  await litbot.close();
  return { p50: percentile(total, 50), p95: percentile(total, 95) };
}
