import { createLitbot } from './src/litbot.js';
import { decisionFeatures, answerProbability, DECISION } from './src/answer/decide.js';
import { loadIndex } from './src/indexing/load-index.js';
import { collectionStats } from './src/retrieval/collection-stats.js';
import { generateQuestions } from './src/measure/generate-questions.js';
const litbot = await createLitbot({});
const { loadConfig } = await import('./src/config/env.js');
const { createEmbedder } = await import('./src/indexing/embeddings/create-embedder.js');
const env = loadConfig(); const emb = createEmbedder(env); await emb.init();
const index = await loadIndex(env.INDEX_DIR, emb);
const stats = collectionStats(index.papers);
let qs = process.argv.slice(2);
if (!qs.length) qs = generateQuestions(index.papers, index.topics, stats).filter((q) => q.source === 'template').map((q) => q.question);
for (const q of qs) {
  const r = await litbot.search(q, { k: 8, passages: 3 });
  const { unknown, ...f } = decisionFeatures(r.query, r, stats);
  const p = answerProbability(f);
  console.log(p.toFixed(2), p >= DECISION.threshold ? 'ANSWER' : 'decline', q, JSON.stringify(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v === undefined ? v : Number(v.toFixed(2))]))), unknown.words.join(','));
}
await litbot.close();
