import { createLitbot } from './src/litbot.js';
import { collectionStats } from './src/retrieval/collection-stats.js';
import { loadCorpus } from './src/corpus/load-corpus.js';
import { CollectionStats } from './src/retrieval/collection-stats.js';
const litbot = await createLitbot({});
const { loadConfig } = await import('./src/config/env.js');
const { createEmbedder } = await import('./src/indexing/embeddings/create-embedder.js');
const { loadIndex } = await import('./src/indexing/load-index.js');
const env = loadConfig(); const emb = createEmbedder(env); await emb.init();
const index = await loadIndex(env.INDEX_DIR, emb);
const stats = collectionStats(index.papers);
for (const q of process.argv.slice(2)) {
  const r = await litbot.search(q, { k: 8 });
  const terms = CollectionStats.questionTerms(r.query);
  console.log('\n#', q);
  for (const t of terms) console.log('  ', t.padEnd(14), 'df', stats.df.get(t) ?? 0, 'idf', stats.idf(t).toFixed(2), r.hits.slice(0, 5).map((h) => (stats.termsOf(h.paperId).has(t) ? 'X' : '.')).join(''));
  for (const h of r.hits.slice(0, 5)) console.log('   ', h.score.toFixed(2), h.dense?.toFixed(2), h.paper.title.slice(0, 70));
}
await litbot.close();
