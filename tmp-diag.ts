import { createLitbot } from './src/litbot.js';
import { loadQuestions, part, isMultiPaper } from './src/measure/labelled-questions.js';
const litbot = await createLitbot({});
const qs = part(loadQuestions('test/fixtures/questions.json'), 'tune').filter((q) => q.kind === 'answerable');
for (const q of qs) {
  const r: Record<string, string> = {};
  for (const [name, o] of [['bm25', { mode: 'bm25' }], ['fixed', { ranker: 'fixed', correct: false }], ['learned', {}]] as const) {
    const { hits } = await litbot.search(q.question, { ...(o as object), k: 10 });
    const rank = hits.findIndex((h) => q.relevant.includes(h.paperId)) + 1;
    const rec = q.relevant.filter((id) => hits.some((h) => h.paperId === id)).length;
    r[name] = isMultiPaper(q) ? `${rank}:${rec}/${q.relevant.length}` : `${rank}`;
  }
  if (r.bm25 !== r.learned || r.fixed !== r.learned || isMultiPaper(q)) console.log(q.id, JSON.stringify(r), q.question.slice(0, 90));
}
await litbot.close();
