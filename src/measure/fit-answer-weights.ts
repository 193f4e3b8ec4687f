/**
 * Fits `ANSWER_WEIGHTS` (src/answer/extractive.ts): how much the offline answer favours findings,
 * methods and figures over set-up sentences, and how many sentences it quotes from the first paper.
 * A grid search on the TUNING parts of the labelled sets only, scored by the share of each
 * question's key facts the answer states (declined questions count 0). Retrieval runs once per
 * question; only the composition is repeated per setting. The threshold for quoting further papers
 * (`further`) trades a little of that score for citations that are relevant: the chosen setting is
 * the best one's, with the strictest `further` whose score is within one point of it. Prints the
 * best settings and the chosen one; copy it into `ANSWER_WEIGHTS` by hand.
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
  finding: [0, 0.7, 1],
  method: [0, 0.4],
  setup: [0, -0.6, -0.85],
  figure: [0, 0.3, 0.5],
  lead: [2, 3],
  further: [0, 0.5, 0.7, 0.85],
};

/** How many points of facts the threshold for further papers may cost: it buys citations that are relevant. */
const FURTHER_SLACK = 0.01;

await runCli(async () => {
  const cmd = program('fit-answer-weights', "Grid-search the offline answer weights on the tuning questions' key facts.")
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
    let cited = 0;
    let relevant = 0;
    for (const q of questions) {
      const result = await answerer.answer(q.question);
      sum += factsShare(result, q.facts!);
      cited += result.citations.length;
      relevant += result.citations.filter((c) => q.relevant.includes(c.paperId)).length;
    }
    return { share: sum / questions.length, precision: cited ? relevant / cited : 0 };
  };

  const rows: { weights: AnswerWeights; share: number; precision: number }[] = [];
  const started = performance.now();
  for (const finding of grid.finding)
    for (const method of grid.method)
      for (const setup of grid.setup)
        for (const figure of grid.figure)
          for (const lead of grid.lead)
            for (const further of grid.further) {
              const weights = { finding, method, setup, figure, lead, further };
              rows.push({ weights, ...(await score(weights)) });
            }
  rows.sort((a, b) => b.share - a.share);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${rows.length} settings on ${questions.length} tuning questions with key facts (${((performance.now() - started) / 1000).toFixed(0)} s); best first:`);
  for (const r of rows.slice(0, Number(opts.top)))
    out(`  ${(r.share * 100).toFixed(1)}% of facts, ${(r.precision * 100).toFixed(1)}% of cited papers relevant  ${JSON.stringify(r.weights)}`);
  const best = rows[0];
  const same = (a: AnswerWeights, b: AnswerWeights) => a.finding === b.finding && a.method === b.method && a.setup === b.setup && a.figure === b.figure && a.lead === b.lead;
  const chosen = rows.filter((r) => same(r.weights, best.weights) && r.share >= best.share - FURTHER_SLACK).sort((a, b) => b.weights.further - a.weights.further)[0];
  out(
    `  chosen (strictest further paper threshold within ${FURTHER_SLACK * 100} point of the best): ${(chosen.share * 100).toFixed(1)}% of facts, ${(chosen.precision * 100).toFixed(1)}% of cited papers relevant  ${JSON.stringify(chosen.weights)}`,
  );
  for (const lead of grid.lead) {
    const flat = rows.find(
      (r) => r.weights.finding === 0 && r.weights.method === 0 && r.weights.setup === 0 && r.weights.figure === 0 && r.weights.lead === lead && r.weights.further === 0,
    );
    if (flat) out(`  without role or figure weights, ${lead} sentences from the first paper: ${(flat.share * 100).toFixed(1)}%`);
  }
  await embedder.dispose?.();
});
