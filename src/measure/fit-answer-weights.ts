/**
 * Fits `ANSWER_WEIGHTS` (src/answer/extractive.ts): how much the offline answer favours findings,
 * methods and figures over set-up sentences, and how many sentences it quotes from the first paper.
 * A grid search on the TUNING parts of the labelled sets only, scored by the share of each
 * question's key facts the answer states (declined questions count 0). Retrieval runs once per
 * question; only the composition is repeated per setting. Prints the best settings; copy the first
 * into `ANSWER_WEIGHTS` by hand.
 *
 *   npx tsx src/measure/fit-answer-weights.ts [--top 10]
 */
import { createAnswerer } from '../answer/answerer.js';
import type { AnswerWeights } from '../answer/extractive.js';
import { PaperBrowser } from '../browse/paper-browser.js';
import { program, runCli } from '../cli/run-cli.js';
import { loadConfig } from '../config/env.js';
import { createEmbedder } from '../indexing/embeddings/create-embedder.js';
import { loadIndex } from '../indexing/load-index.js';
import { Retriever } from '../retrieval/retriever.js';
import type { SearchOptions, SearchResponse } from '../retrieval/types.js';
import { factsShare, readLabelledSet, type FactsQuestion } from './answer-eval.js';

/**
 * The values tried. The first search (finding 0-0.7, method 0-0.4, setup 0 to -0.85, figure 0-0.3,
 * lead 2-3: 288 settings) peaked at its edges, so the finding and figure ranges were widened to
 * these; lead 4 was left out to keep answers short.
 */
const GRID = {
  finding: [0, 0.7, 1, 1.5],
  method: [0, 0.4],
  setup: [0, -0.6, -0.85],
  figure: [0, 0.3, 0.5],
  lead: [2, 3],
};

await runCli(async () => {
  const cmd = program('fit-answer-weights', 'Grid-search the offline answer weights on the tuning questions\' key facts.')
    .option('--sets <files>', 'labelled sets', 'test/fixtures/questions.json,test/fixtures/discord-questions.json')
    .option('--top <n>', 'settings to print', '10')
    .option('--grid <json>', 'values to try per weight, e.g. {"finding":[0.7,1]} (the rest as in GRID)')
    .parse();
  const opts = cmd.opts<{ sets: string; top: string; grid?: string }>();
  const grid = { ...GRID, ...(opts.grid ? (JSON.parse(opts.grid) as Partial<typeof GRID>) : {}) };
  const env = loadConfig();
  const embedder = createEmbedder(env);
  await embedder.init();
  const index = await loadIndex(env.INDEX_DIR, embedder);
  const retriever = new Retriever(index, embedder);
  const browser = new PaperBrowser(index);
  // Never the test parts: they are what the weights are reported on.
  const questions: FactsQuestion[] = opts.sets
    .split(',')
    .flatMap((file) => readLabelledSet(file).questions)
    .filter((q) => q.split === 'tune' && q.facts?.length);

  const cache = new Map<string, Promise<SearchResponse>>();
  const retrieve = (query: string, options?: SearchOptions) => {
    const key = `${query}\u0000${JSON.stringify(options ?? {})}`;
    if (!cache.has(key)) cache.set(key, retriever.search(query, options));
    return cache.get(key)!;
  };
  const score = async (weights: AnswerWeights) => {
    const answerer = createAnswerer({
      env: { ...env, LLM_PROVIDER: 'extractive' },
      retrieve,
      topicOf: (id) => browser.topicOf(id),
      topics: () => browser.topics(),
      corpus: index.papers,
      paperById: (id) => index.paperById.get(id),
      answerWeights: weights,
    });
    let sum = 0;
    for (const q of questions) sum += factsShare(await answerer.answer(q.question), q.facts!);
    return sum / questions.length;
  };

  const rows: { weights: AnswerWeights; share: number }[] = [];
  const started = performance.now();
  for (const finding of grid.finding)
    for (const method of grid.method)
      for (const setup of grid.setup)
        for (const figure of grid.figure)
          for (const lead of grid.lead) {
            const weights = { finding, method, setup, figure, lead };
            rows.push({ weights, share: await score(weights) });
          }
  rows.sort((a, b) => b.share - a.share);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${rows.length} settings on ${questions.length} tuning questions with key facts (${((performance.now() - started) / 1000).toFixed(0)} s); best first:`);
  for (const r of rows.slice(0, Number(opts.top))) out(`  ${(r.share * 100).toFixed(1)}%  ${JSON.stringify(r.weights)}`);
  for (const lead of grid.lead) {
    const flat = rows.find((r) => r.weights.finding === 0 && r.weights.method === 0 && r.weights.setup === 0 && r.weights.figure === 0 && r.weights.lead === lead);
    if (flat) out(`  without role or figure weights, ${lead} sentences from the first paper: ${(flat.share * 100).toFixed(1)}%`);
  }
  await embedder.dispose?.();
});
