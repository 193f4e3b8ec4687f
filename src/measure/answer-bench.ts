/**
 * The answer bench: offline answers (`ask`, extractive backend) to the labelled questions of both
 * sets, timed one at a time in a warm process: retrieval with typo correction and the learned
 * ranker, the fitted decision, and composing. Issue 12's budget is 50 ms p50.
 */
import { loadConfig } from '../config/env.js';
import { createLitbot } from '../litbot.js';
import { loadQuestions } from './labelled-questions.js';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Times `ask` on every question of `files` in the index at `indexDir`, after a few warm-up questions. */
export async function runAnswerBench(indexDir: string, files: string[], log: (line: string) => void): Promise<void> {
  const env = { ...loadConfig(), LLM_PROVIDER: 'extractive' as const };
  const litbot = await createLitbot({ env, indexDir, log: () => {} });
  const questions = files.flatMap((f) => loadQuestions(f).map((q) => q.question));
  // The first questions load the spelling dictionaries and warm the caches; a running bot pays that once.
  for (const q of questions.slice(0, 5)) await litbot.ask(q);
  const total: number[] = [];
  const retrieve: number[] = [];
  for (const q of questions) {
    const t = performance.now();
    const r = await litbot.ask(q);
    total.push(performance.now() - t);
    retrieve.push(r.timings.retrieveMs);
  }
  log(`Answers, warm, one process, extractive, ${questions.length} questions (${files.join(', ')})`);
  log(`  total      p50 ${percentile(total, 50).toFixed(1)} ms   p95 ${percentile(total, 95).toFixed(1)} ms   (budget: 50 ms p50)`);
  log(`  retrieval  p50 ${percentile(retrieve, 50).toFixed(1)} ms   p95 ${percentile(retrieve, 95).toFixed(1)} ms   (typo correction, embedding, HNSW, BM25, learned ranker)`);
  await litbot.close();
}
