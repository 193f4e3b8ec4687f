import { createLitbot } from './src/litbot.js';
const litbot = await createLitbot({});
const qs = process.argv.slice(2).length ? process.argv.slice(2) : ['What does MIGU do?', 'what is catastrophic forgetting?', 'tell me about fine-tuning', 'wat dos lora droput do agianst overfiting?', 'What is the best learning rate schedule for training diffusion models on ImageNet?', 'how do I make a good lasagna?', 'who won the 2022 world cup final?', 'what is the best protocol for western blot transfer of large proteins?', 'how do I get my sourdough starter to rise?', 'what is SVD used for in LoRA initialisation?', 'hi', 'thanks!', 'what can you do?'];
for (const q of qs) {
  const t = performance.now();
  const r = await litbot.ask(q);
  console.log(`\n## ${q}  [${(performance.now() - t).toFixed(0)} ms] refused=${r.refused} ${r.declineReason ?? ''} searchedFor=${r.searchedFor ?? ''}`);
  console.log(r.answer.slice(0, 400));
  console.log('cites:', r.citations.map((c) => c.title.slice(0, 60)).join(' | '), ' sugg:', (r.suggestions ?? []).map((s) => s.title.slice(0, 40)).join(' | '));
}
await litbot.close();
