import { createLitbot } from './src/litbot.js';
const litbot = await createLitbot({});
const q = process.argv[2];
for (const o of [{ ranker: 'fixed', correct: false }, {}, { mode: 'bm25' }] as const) {
  const r = await litbot.search(q, { ...(o as object), k: 6 });
  console.log(JSON.stringify(o));
  for (const h of r.hits) console.log('  ', h.score.toFixed(2), h.paper.title.slice(0, 80), h.features ? JSON.stringify(Object.fromEntries(Object.entries(h.features).map(([k, v]) => [k, Number(v.toFixed(2))]))) : '');
}
await litbot.close();
