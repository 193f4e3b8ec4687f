/**
 * `npm run eval`: retrieval quality (dense, BM25, hybrid) on the labelled question set, topic
 * quality against the human grouping, and the answerer's coverage decisions.
 */
import { readFileSync } from 'node:fs';
import { program, runCli } from '../cli/run-cli.js';
import { createLitbot } from '../litbot.js';
import type { SearchMode } from '../retrieval/types.js';
import { evaluateRetrieval, formatRetrievalTable, type LabelledQuestion } from './retrieval-eval.js';

await runCli(async () => {
  const cmd = program('eval', 'Measure retrieval, topics and answers on the labelled question set.')
    .option('--questions <file>', 'labelled questions', 'test/fixtures/questions.json')
    .option('--misses', 'list the questions whose paper is not in the hybrid top 10')
    .parse();
  const opts = cmd.opts<{ questions: string; misses?: boolean }>();
  const questions = JSON.parse(readFileSync(opts.questions, 'utf8')) as LabelledQuestion[];
  const litbot = await createLitbot({ buildIfMissing: true });
  const out = (line = '') => process.stdout.write(`${line}\n`);

  out(`Retrieval (${opts.questions})`);
  const rows = [];
  for (const mode of ['dense', 'bm25', 'hybrid'] as SearchMode[]) rows.push(await evaluateRetrieval((q, o) => litbot.search(q, o), questions, mode));
  out(formatRetrievalTable(rows));
  if (opts.misses) for (const m of rows[2].misses) out(`  miss ${m.id}: ${m.question}`);
  await litbot.close();
});
