/**
 * `npm run fit`: refits the learned ranker (src/retrieval/ranker-weights.json) and the
 * answer/decline decision (src/answer/decision-weights.json) on the tuning parts of the labelled
 * question sets and on generated questions (`generate-questions.ts`). The test parts are never
 * read. Each model's L2 penalty (and how much the generated questions count) is chosen by 5-fold
 * cross-validation over the real tuning questions; the decision's threshold is calibrated on the
 * out-of-fold probabilities to answer a stated share of the answerable tuning questions.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { DECISION_FEATURES, decisionFeatures, type DecisionFeature, type DecisionModel } from '../answer/decide.js';
import { program, runCli } from '../cli/run-cli.js';
import { loadConfig } from '../config/env.js';
import { projectPath } from '../config/paths.js';
import { createEmbedder } from '../indexing/embeddings/create-embedder.js';
import { loadIndex } from '../indexing/load-index.js';
import { createLitbot } from '../litbot.js';
import { collectionStats } from '../retrieval/collection-stats.js';
import { RANK_FEATURES, featureRow, type RankFeature, type RankerModel } from '../retrieval/ranker.js';
import { Retriever } from '../retrieval/retriever.js';
import {
  fitListwise,
  fitLogistic,
  folds,
  listwiseObjective,
  logisticProbability,
  mrrAt10,
  standardise,
  standardiser,
  type LabelledRow,
  type RankList,
  type Standardiser,
} from './fit-linear.js';
import { generateQuestions } from './generate-questions.js';
import { ANSWER_KINDS, DECLINE_KINDS, loadQuestions, part, type LabelledQuestion } from './labelled-questions.js';

const LAMBDAS = [1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1];
/** How much a generated question counts against a real one, chosen by cross-validation among these. */
const GENERATED_WEIGHTS = [0, 0.25, 1];
/**
 * For the decision the generated questions always count: the issue requires everyday off-topic
 * questions (cooking, sport, lab methods) to be declined, and the real tuning part holds only a
 * dozen of them, too few to show what the model does on the rest; cross-validation picks among these.
 */
const DECISION_GENERATED_WEIGHTS = [0.25, 0.5, 1];
const K_FOLDS = 5;
/**
 * Feature sets the ranker's cross-validation chooses among: every signal, or without each side's
 * rank (they overlap the scores they rank). BM25 of the title alone and of the abstract alone were
 * in an earlier round too, and dropped by this choice (docs/ranking.md).
 */
const RANK_FEATURE_SETS: Record<string, RankFeature[]> = {
  all: [...RANK_FEATURES],
  'without ranks': RANK_FEATURES.filter((f) => f !== 'bm25RankRecip' && f !== 'denseRankRecip'),
};
/**
 * Feature sets the decision's cross-validation chooses among: the signals of the first fit, and
 * with the later "which papers" flag, which stays only while it lowers the held-out loss. Tried
 * and dropped this way (docs/ranking.md): a rare lower-case word the best paper holds, counting a
 * general English stopword list's words as known, and the question's weight one passage holds.
 */
const DECISION_FEATURE_SETS: Record<string, DecisionFeature[]> = {
  first: DECISION_FEATURES.filter((f) => f !== 'listQuestion'),
  '+ list question': [...DECISION_FEATURES],
};

/** A row of values in `all`'s order reduced to `features`. */
function pickColumns<F>(all: readonly F[], features: readonly F[]): (row: number[]) => number[] {
  const columns = features.map((f) => all.indexOf(f));
  return (row) => columns.map((c) => row[c]);
}

/** Ranking lists with each row reduced to `features`. */
function pickLists(lists: RankList[], features: RankFeature[]): RankList[] {
  const pick = pickColumns(RANK_FEATURES, features);
  return lists.map((l) => ({ ...l, x: l.x.map(pick) }));
}

/** The decision aims to answer at least this share of each set's answerable tuning questions (out of fold; the 95% and one point of margin). */
export const ANSWER_TARGET = 0.96;
/** ... and to decline at least this share of each set's out-of-corpus and off-topic ones (the 90%). */
export const DECLINE_TARGET = 0.9;
/** Off-topic templates about everyday subjects: the nearest topics are offered above the probability most of them stay under. */
const FAR_QUANTILE = 0.95;

// The sources, not the compiled copies in dist/ (the next build copies them there).
const RANKER_FILE = projectPath('src', 'retrieval', 'ranker-weights.json');
const DECISION_FILE = projectPath('src', 'answer', 'decision-weights.json');

interface Example {
  id: string;
  question: string;
  relevant: string[];
  kind: string;
  generated: boolean;
  source?: string;
  /** The labelled set a real question comes from. */
  set?: string;
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

await runCli(async () => {
  const cmd = program('fit', 'Refit the learned ranker and the answer/decline decision on the tuning questions.')
    .option(
      '--questions <files>',
      'labelled question sets (their tuning parts are used)',
      'test/fixtures/questions.json,test/fixtures/discord-questions.json,test/fixtures/tuning-questions.json',
    )
    .option('--only <parts>', 'ranker, decision or both', 'ranker,decision')
    .option('--dry-run', 'print the fit without writing the weights files')
    .parse();
  const opts = cmd.opts<{ questions: string; only: string; dryRun?: boolean }>();
  const parts = new Set(opts.only.split(','));
  const out = (line = '') => process.stdout.write(`${line}\n`);

  const env = loadConfig();
  await (await createLitbot({ env, buildIfMissing: true })).close();
  const embedder = createEmbedder(env);
  await embedder.init();
  const index = await loadIndex(env.INDEX_DIR, embedder);
  const retriever = new Retriever(index, embedder);
  const stats = collectionStats(index.papers);

  const real: Example[] = [];
  for (const file of opts.questions.split(',').filter((f) => existsSync(f))) {
    const tune = part(loadQuestions(file), 'tune');
    out(`${file}: ${tune.length} tuning questions`);
    real.push(...tune.map((q: LabelledQuestion) => ({ ...q, id: `${file}:${q.id}`, set: file, generated: false })));
  }
  const generated: Example[] = generateQuestions(index.papers, index.topics, stats).map((q) => ({ ...q, generated: true }));
  out(`generated: ${generated.length} questions (${countBy(generated, (q) => q.source ?? '')})`);

  let ranker: RankerModel | undefined;
  if (parts.has('ranker')) {
    ranker = await fitRanker(retriever, real, generated, out);
    if (!opts.dryRun) writeFileSync(RANKER_FILE, `${JSON.stringify(ranker, null, 2)}\n`);
  }
  if (parts.has('decision')) {
    const decision = await fitDecision(retriever, stats, real, generated, ranker, out);
    if (!opts.dryRun) writeFileSync(DECISION_FILE, `${JSON.stringify(decision, null, 2)}\n`);
  }
  if (opts.dryRun) out('dry run: nothing written');
  else
    out(`written: ${[parts.has('ranker') ? 'src/retrieval/ranker-weights.json' : '', parts.has('decision') ? 'src/answer/decision-weights.json' : ''].filter(Boolean).join(', ')}`);
  await embedder.dispose?.();
});

function countBy<T>(items: T[], key: (t: T) => string): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
}

function standardiseLists(lists: RankList[], s: Standardiser): RankList[] {
  return lists.map((l) => ({ ...l, x: l.x.map((r) => standardise(r, s)) }));
}

async function fitRanker(retriever: Retriever, real: Example[], generated: Example[], out: (l?: string) => void): Promise<RankerModel> {
  const listsOf = async (examples: Example[]) => {
    const lists: RankList[] = [];
    for (const q of examples) {
      if (!q.relevant.length || !ANSWER_KINDS.has(q.kind)) continue;
      const { hits } = await retriever.search(q.question, { k: 10, allCandidates: true });
      const list = { x: hits.map((h) => featureRow(h.features!)), relevant: hits.map((h) => q.relevant.includes(h.paperId)) };
      if (list.relevant.some(Boolean)) lists.push(list);
    }
    return lists;
  };
  const realLists = await listsOf(real);
  const genLists = await listsOf(generated);
  out();
  out(`Ranker: ${realLists.length} real tuning lists, ${genLists.length} generated (questions with a relevant paper among the candidates)`);
  const fold = folds(realLists, K_FOLDS);
  const cv: { features: RankFeature[]; set: string; lambda: number; generatedWeight: number; loss: number; mrr: number }[] = [];
  for (const [set, features] of Object.entries(RANK_FEATURE_SETS)) {
    const realPicked = pickLists(realLists, features);
    const genPicked = pickLists(genLists, features);
    for (const generatedWeight of GENERATED_WEIGHTS) {
      for (const lambda of LAMBDAS) {
        let loss = 0;
        let mrr = 0;
        for (let f = 0; f < K_FOLDS; f++) {
          const train = [...realPicked.filter((_, i) => fold[i] !== f), ...(generatedWeight ? genPicked.map((l) => ({ ...l, weight: generatedWeight })) : [])];
          const held = realPicked.filter((_, i) => fold[i] === f);
          const s = standardiser(train.flatMap((l) => l.x));
          const w = fitListwise(standardiseLists(train, s), lambda);
          const heldStd = standardiseLists(held, s);
          loss += (listwiseObjective(heldStd, w).value * held.length) / realLists.length;
          mrr += (mrrAt10(heldStd, w) * held.length) / realLists.length;
        }
        cv.push({ features, set, lambda, generatedWeight, loss: round(loss), mrr: round(mrr) });
      }
    }
  }
  const best = cv.reduce((a, b) => (b.loss < a.loss - 1e-9 ? b : a));
  // The fusion it replaces, on the same lists: BM25/max + name share + 3 x mean of best-chunk and paper cosine.
  const col = (f: RankFeature) => RANK_FEATURES.indexOf(f);
  const fixed = new Array<number>(RANK_FEATURES.length).fill(0);
  fixed[col('bm25Rel')] = 1;
  fixed[col('nameShare')] = 1;
  fixed[col('denseChunk')] = 1.5;
  fixed[col('densePaper')] = 1.5;
  out(`  the fixed fusion on the same lists: MRR@10 ${mrrAt10(realLists, fixed).toFixed(3)}`);
  out('  5-fold CV on the real tuning lists (held-out listwise loss, MRR@10), best per feature set:');
  for (const set of Object.keys(RANK_FEATURE_SETS)) {
    const r = cv.filter((c) => c.set === set).reduce((a, b) => (b.loss < a.loss - 1e-9 ? b : a));
    out(`    ${set.padEnd(26)} generated x${r.generatedWeight}  lambda ${r.lambda}  loss ${r.loss.toFixed(4)}  MRR@10 ${r.mrr.toFixed(3)}${r === best ? '  <- chosen' : ''}`);
  }
  const train = [...pickLists(realLists, best.features), ...(best.generatedWeight ? pickLists(genLists, best.features).map((l) => ({ ...l, weight: best.generatedWeight })) : [])];
  const s = standardiser(train.flatMap((l) => l.x));
  const weights = fitListwise(standardiseLists(train, s), best.lambda);
  out('  weights (on standardised features):');
  best.features.forEach((f, i) => out(`    ${f.padEnd(16)} ${weights[i] >= 0 ? ' ' : ''}${weights[i].toFixed(3)}`));
  return {
    features: best.features,
    mean: s.mean.map((v) => round(v, 6)),
    std: s.std.map((v) => round(v, 6)),
    weights: weights.map((v) => round(v, 6)),
    lambda: best.lambda,
    fit: {
      command: 'npm run fit',
      loss: "softmax cross-entropy over each question's candidate papers (uniform over its relevant ones)",
      realLists: realLists.length,
      generatedLists: genLists.length,
      featureSet: best.set,
      generatedWeight: best.generatedWeight,
      cvHeldOutLoss: best.loss,
      cvHeldOutMrrAt10: best.mrr,
    },
  };
}

async function fitDecision(
  retriever: Retriever,
  stats: ReturnType<typeof collectionStats>,
  real: Example[],
  generated: Example[],
  ranker: RankerModel | undefined,
  out: (l?: string) => void,
): Promise<DecisionModel> {
  const rowsOf = async (examples: Example[]) => {
    const rows: (LabelledRow & { example: Example })[] = [];
    for (const q of examples) {
      const y = ANSWER_KINDS.has(q.kind) ? 1 : DECLINE_KINDS.has(q.kind) ? 0 : undefined;
      if (y === undefined) continue;
      // As the answerer searches: the top 8 papers, with the ranker being fitted.
      const response = await retriever.search(q.question, { k: 8, passages: 3, ...(ranker ? { ranker } : {}) });
      const f = decisionFeatures(response.query, response, stats);
      rows.push({ x: DECISION_FEATURES.map((name) => f[name] ?? 0), y, example: q });
    }
    return rows;
  };
  const realRows = await rowsOf(real);
  const genRows = await rowsOf(generated);
  out();
  out(
    `Decision: ${realRows.length} real tuning questions (${realRows.filter((r) => r.y).length} to answer), ${genRows.length} generated (${genRows.filter((r) => r.y).length} to answer)`,
  );
  const fold = folds(realRows, K_FOLDS, 5);
  const cv: { set: string; features: DecisionFeature[]; lambda: number; generatedWeight: number; loss: number; oof: number[] }[] = [];
  for (const [set, features] of Object.entries(DECISION_FEATURE_SETS)) {
    const pick = pickColumns(DECISION_FEATURES, features);
    const realPicked = realRows.map((r) => ({ ...r, x: pick(r.x) }));
    const genPicked = genRows.map((r) => ({ ...r, x: pick(r.x) }));
    for (const generatedWeight of DECISION_GENERATED_WEIGHTS) {
      for (const lambda of LAMBDAS) {
        const oof = new Array<number>(realRows.length).fill(0);
        let loss = 0;
        for (let f = 0; f < K_FOLDS; f++) {
          const train = [...realPicked.filter((_, i) => fold[i] !== f), ...(generatedWeight ? genPicked.map((r) => ({ ...r, weight: generatedWeight })) : [])];
          const s = standardiser(train.map((r) => r.x));
          const w = fitLogistic(
            train.map((r) => ({ ...r, x: standardise(r.x, s) })),
            lambda,
          );
          realPicked.forEach((r, i) => {
            if (fold[i] !== f) return;
            const p = Math.min(1 - 1e-9, Math.max(1e-9, logisticProbability(w, standardise(r.x, s))));
            oof[i] = p;
            loss -= (r.y ? Math.log(p) : Math.log(1 - p)) / realRows.length;
          });
        }
        cv.push({ set, features, lambda, generatedWeight, loss: round(loss), oof });
      }
    }
  }
  const best = cv.reduce((a, b) => (b.loss < a.loss - 1e-9 ? b : a));
  out('  5-fold CV on the real tuning questions (held-out log loss), best per feature set:');
  for (const set of Object.keys(DECISION_FEATURE_SETS)) {
    const r = cv.filter((c) => c.set === set).reduce((a, b) => (b.loss < a.loss - 1e-9 ? b : a));
    out(`    ${set.padEnd(28)} generated x${r.generatedWeight}  lambda ${r.lambda}  loss ${r.loss.toFixed(4)}${r === best ? '  <- chosen' : ''}`);
  }
  const pick = pickColumns(DECISION_FEATURES, best.features);
  // The threshold meets the two targets in every set as well as it can, out of fold: of
  // the thresholds between neighbouring out-of-fold probabilities (each the midpoint, so no
  // question sits on it), the one whose worst margin is largest, the margins being each set's
  // answered share of its answerable questions less ANSWER_TARGET and its declined share of its
  // questions to decline less DECLINE_TARGET (sets differ: full sentences answer less readily
  // than Discord-style fragments, so one pooled quantile served one set and failed the other).
  const bySet = new Map<string | undefined, { pos: number[]; neg: number[] }>();
  realRows.forEach((r, i) => {
    const group = bySet.get(r.example.set) ?? { pos: [], neg: [] };
    (r.y === 1 ? group.pos : group.neg).push(best.oof[i]);
    bySet.set(r.example.set, group);
  });
  const sorted = [...new Set(best.oof)].sort((a, b) => a - b);
  const candidates = sorted.slice(1).map((p, i) => (sorted[i] + p) / 2);
  const worstMargin = (t: number) =>
    Math.min(
      ...[...bySet.values()].flatMap(({ pos, neg }) => [
        ...(pos.length ? [pos.filter((p) => p >= t).length / pos.length - ANSWER_TARGET] : []),
        ...(neg.length ? [neg.filter((p) => p < t).length / neg.length - DECLINE_TARGET] : []),
      ]),
    );
  const margins = candidates.map(worstMargin);
  const threshold = candidates[margins.indexOf(Math.max(...margins))] ?? 0.5;
  const positives = best.oof.filter((_, i) => realRows[i].y === 1);
  out(`  worst margin to the targets over the sets: ${(worstMargin(threshold) * 100).toFixed(1)} points`);
  const negatives = best.oof.filter((_, i) => realRows[i].y === 0);
  out(
    `  threshold ${threshold.toFixed(3)}: out of fold, answers ${positives.filter((p) => p >= threshold).length}/${positives.length} answerable, declines ${negatives.filter((p) => p < threshold).length}/${negatives.length} out-of-corpus`,
  );
  const train = [...realRows, ...(best.generatedWeight ? genRows.map((r) => ({ ...r, weight: best.generatedWeight })) : [])].map((r) => ({ ...r, x: pick(r.x) }));
  const s = standardiser(train.map((r) => r.x));
  const w = fitLogistic(
    train.map((r) => ({ ...r, x: standardise(r.x, s) })),
    best.lambda,
  );
  // Nearest topics are offered above what everyday off-topic questions reach.
  const far = genRows
    .filter((r) => r.example.source === 'template' && !/\b(?:how well does|best approach for)\b/.test(r.example.question))
    .map((r) => logisticProbability(w, standardise(pick(r.x), s)))
    .sort((a, b) => a - b);
  const near = Math.min(threshold, far[Math.floor(FAR_QUANTILE * (far.length - 1))] ?? 0);
  out(`  near: ${near.toFixed(3)} (${Math.round(FAR_QUANTILE * 100)}th percentile of ${far.length} everyday off-topic templates)`);
  out('  weights (on standardised features):');
  out(`    intercept        ${w[0].toFixed(3)}`);
  best.features.forEach((f, i) => out(`    ${f.padEnd(16)} ${w[i + 1] >= 0 ? ' ' : ''}${w[i + 1].toFixed(3)}`));
  return {
    features: best.features,
    mean: s.mean.map((v) => round(v, 6)),
    std: s.std.map((v) => round(v, 6)),
    intercept: round(w[0], 6),
    weights: w.slice(1).map((v) => round(v, 6)),
    threshold: round(threshold, 6),
    near: round(near, 6),
    target: `in every tuning set, answer at least ${ANSWER_TARGET * 100}% of the answerable questions and decline at least ${DECLINE_TARGET * 100}% of those to decline, as nearly as one threshold can (out-of-fold probabilities; largest worst margin)`,
    lambda: best.lambda,
    fit: {
      command: 'npm run fit',
      realQuestions: realRows.length,
      generatedQuestions: genRows.length,
      featureSet: best.set,
      generatedWeight: best.generatedWeight,
      cvHeldOutLogLoss: best.loss,
    },
  };
}
