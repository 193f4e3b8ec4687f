import { createLitbot } from './src/litbot.js';
import { decisionFeatures, answerProbability, DECISION } from './src/answer/decide.js';
import { collectionStats } from './src/retrieval/collection-stats.js';
import { loadCorpus } from './src/corpus/load-corpus.js';
import { loadQuestions, part, ANSWER_KINDS, DECLINE_KINDS } from './src/measure/labelled-questions.js';
const litbot = await createLitbot({});
const { loadConfig } = await import('./src/config/env.js');
const { createEmbedder } = await import('./src/indexing/embeddings/create-embedder.js');
const { loadIndex } = await import('./src/indexing/load-index.js');
const env = loadConfig(); const emb = createEmbedder(env); await emb.init();
const index = await loadIndex(env.INDEX_DIR, emb);
const stats = collectionStats(index.papers);
const qs = [...part(loadQuestions('test/fixtures/questions.json'), 'tune'), ...part(loadQuestions('test/fixtures/discord-questions.json'), 'tune')].filter((q) => ANSWER_KINDS.has(q.kind) || DECLINE_KINDS.has(q.kind));
const rows = [];
for (const q of qs) {
  const r = await litbot.search(q.question, { k: 8, passages: 3 });
  const { unknown, ...f } = decisionFeatures(r.query, r, stats);
  rows.push({ p: answerProbability(f), y: ANSWER_KINDS.has(q.kind) ? 1 : 0, q: q.question.slice(0, 70), f, u: unknown.words.join(',') + '|' + unknown.names.join(',') });
}
rows.sort((a, b) => a.p - b.p);
for (const r of rows) console.log(r.p.toFixed(2), r.y, Object.values(r.f).map((v) => (v ?? NaN).toFixed(2)).join(' '), r.q, r.u);
await litbot.close();
