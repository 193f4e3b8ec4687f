/**
 * The follow-up logic on its own: the Discord set's conversations with the answer/decline decision
 * opened up (every turn with matching papers is answered), so what is measured is whether each
 * follow-up moves to, stays with or leaves the right paper, not whether its first turn was
 * declined. A diagnostic; `npm run eval` gives the figures with the real decision.
 *
 *   npx tsx src/measure/follow-up-check.ts [--split tune|test]
 */
import { DECISION } from '../answer/decide.js';
import { createAnswerer } from '../answer/answerer.js';
import { PaperBrowser } from '../browse/paper-browser.js';
import { program, runCli } from '../cli/run-cli.js';
import { loadConfig } from '../config/env.js';
import { createEmbedder } from '../indexing/embeddings/create-embedder.js';
import { loadIndex } from '../indexing/load-index.js';
import { Retriever } from '../retrieval/retriever.js';
import { readLabelledSet, runConversationEval } from './answer-eval.js';

await runCli(async () => {
  const cmd = program('follow-up-check', 'The Discord conversations with the decline decision opened up: follow-up logic alone.')
    .option('--set <file>', 'labelled set with conversations', 'test/fixtures/discord-questions.json')
    .option('--split <part>', 'tune or test', 'tune')
    .parse();
  const opts = cmd.opts<{ set: string; split: string }>();
  const env = { ...loadConfig(), LLM_PROVIDER: 'extractive' as const };
  const embedder = createEmbedder(env);
  await embedder.init();
  const index = await loadIndex(env.INDEX_DIR, embedder);
  const retriever = new Retriever(index, embedder);
  const browser = new PaperBrowser(index);
  const answerer = createAnswerer({
    env,
    retrieve: (q, o) => retriever.search(q, o),
    topicOf: (id) => browser.topicOf(id),
    topics: () => browser.topics(),
    corpus: index.papers,
    paperById: (id) => index.paperById.get(id),
    // The fitted decision answers everything its premise checks let through.
    decisionModel: { ...DECISION, threshold: 0 },
  });
  const conversations = readLabelledSet(opts.set).conversations.filter((c) => (c.split ?? 'tune') === opts.split);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`Conversations of ${opts.set}, ${opts.split} part, decision opened up:`);
  await runConversationEval((q, history) => answerer.answer(q, { history }), conversations, out);
  await embedder.dispose?.();
});
