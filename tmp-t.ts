import { createLitbot } from './src/litbot.js';
const litbot = await createLitbot({});
for (const q of ['warm up question about forgetting', 'tell me about fine-tuning', 'tell me about fine-tuning', 'what is catastrophic forgetting?']) {
  let t = performance.now();
  const s = await litbot.search(q, { k: 8, passages: 3 });
  const sm = performance.now() - t;
  t = performance.now();
  await litbot.ask(q);
  console.log(q, 'search', sm.toFixed(0), JSON.stringify(s.timings), 'ask', (performance.now() - t).toFixed(0));
}
await litbot.close();
