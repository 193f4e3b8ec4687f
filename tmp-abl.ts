import { loadConfig } from './src/config/env.js';
import { createEmbedder } from './src/indexing/embeddings/create-embedder.js';
import { loadIndex } from './src/indexing/load-index.js';
import { collectionStats } from './src/retrieval/collection-stats.js';
import { RANK_FEATURES, featureRow } from './src/retrieval/ranker.js';
import { Retriever } from './src/retrieval/retriever.js';
import { fitListwise, folds, listwiseObjective, mrrAt10, standardise, standardiser, type RankList } from './src/measure/fit-linear.js';
import { generateQuestions } from './src/measure/generate-questions.js';
import { ANSWER_KINDS, loadQuestions, part } from './src/measure/labelled-questions.js';
const env = loadConfig(); const emb = createEmbedder(env); await emb.init();
const index = await loadIndex(env.INDEX_DIR, emb);
const retriever = new Retriever(index, emb);
const stats = collectionStats(index.papers);
const real = [...part(loadQuestions('test/fixtures/questions.json'), 'tune'), ...part(loadQuestions('test/fixtures/discord-questions.json'), 'tune')];
const gen = generateQuestions(index.papers, index.topics, stats);
const listsOf = async (qs: { question: string; relevant: string[]; kind: string }[]) => {
  const out: RankList[] = [];
  for (const q of qs) { if (!q.relevant.length || !ANSWER_KINDS.has(q.kind)) continue;
    const { hits } = await retriever.search(q.question, { k: 10, allCandidates: true });
    const l = { x: hits.map((h) => featureRow(h.features!)), relevant: hits.map((h) => q.relevant.includes(h.paperId)) };
    if (l.relevant.some(Boolean)) out.push(l); }
  return out;
};
const R = await listsOf(real); const G = await listsOf(gen);
const subsets: Record<string, string[]> = {
  all: [...RANK_FEATURES],
  noTitleAbs: RANK_FEATURES.filter((f) => !['titleBm25Log', 'abstractBm25Log'].includes(f)),
  minimal: ['bm25Rel', 'bm25Log', 'chunkBm25Log', 'weightedShare', 'bigramShare', 'denseChunk', 'densePaper', 'nameShare'],
  minimal2: ['bm25Rel', 'chunkBm25Log', 'weightedShare', 'bigramShare', 'titleShare', 'denseChunk', 'densePaper', 'nameShare', 'bm25RankRecip'],
  fixedLike: ['bm25Rel', 'denseChunk', 'densePaper', 'nameShare'],
  noRanks: RANK_FEATURES.filter((f) => !['bm25RankRecip', 'denseRankRecip'].includes(f)),
};
const fold = folds(R, 5);
for (const [name, feats] of Object.entries(subsets)) {
  const idx = feats.map((f) => RANK_FEATURES.indexOf(f as never));
  const pick = (ls: RankList[]) => ls.map((l) => ({ ...l, x: l.x.map((r) => idx.map((i) => r[i])) }));
  const r = pick(R), g = pick(G);
  for (const gw of [0, 0.25]) for (const lambda of [1e-4, 1e-3, 1e-2, 0.1]) {
    let loss = 0, mrr = 0;
    for (let f = 0; f < 5; f++) {
      const train = [...r.filter((_, i) => fold[i] !== f), ...(gw ? g.map((l) => ({ ...l, weight: gw })) : [])];
      const held = r.filter((_, i) => fold[i] === f);
      const s = standardiser(train.flatMap((l) => l.x));
      const st = (ls: RankList[]) => ls.map((l) => ({ ...l, x: l.x.map((x) => standardise(x, s)) }));
      const w = fitListwise(st(train), lambda);
      loss += listwiseObjective(st(held), w).value * held.length / r.length;
      mrr += mrrAt10(st(held), w) * held.length / r.length;
    }
    console.log(name.padEnd(12), gw, lambda, loss.toFixed(4), mrr.toFixed(3));
  }
}
