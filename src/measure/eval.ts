/**
 * `npm run eval`: retrieval quality (dense, BM25, hybrid) on the labelled question set, topic
 * quality against the human grouping, and the answerer's decisions (answer or decline), citation
 * validity and follow-ups.
 */
import { existsSync, readFileSync } from 'node:fs';
import { program, runCli } from '../cli/run-cli.js';
import { createLitbot } from '../litbot.js';
import type { SearchMode } from '../retrieval/types.js';
import { runAnswerEval, runContentEval, runFollowUpEval, type FollowUp } from './answer-eval.js';
import { evaluateRetrieval, formatRetrievalTable, type LabelledQuestion } from './retrieval-eval.js';
import { printTopicEval } from './topic-eval.js';

await runCli(async () => {
  const cmd = program('eval', 'Measure retrieval, topics and answers on the labelled question set.')
    .option('--questions <file>', 'labelled questions', 'test/fixtures/questions.json')
    .option('--followups <file>', 'two-turn conversations', 'test/fixtures/followups.json')
    .option('--topics <file>', 'human topic grouping', 'test/fixtures/topics-human.json')
    .option('--misses', 'list the questions whose paper is not in the hybrid top 10')
    .option('--discord <file>', 'questions typed the way people write in Discord, with conversations', 'test/fixtures/discord-questions.json')
    .option('--split <parts>', 'which parts to report the answer content for: tune, test or both', 'tune,test')
    .option('--only <parts>', 'comma-separated subset of retrieval,topics,answers,content')
    .parse();
  const opts = cmd.opts<{ questions: string; discord: string; split: string; followups: string; topics: string; misses?: boolean; only?: string }>();
  const parts = new Set((opts.only ?? 'retrieval,topics,answers,content').split(','));
  const questions = JSON.parse(readFileSync(opts.questions, 'utf8')) as LabelledQuestion[];
  const litbot = await createLitbot({ buildIfMissing: true });
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const about = litbot.about();
  out(`Index: ${about.papers} papers, ${about.chunks} chunks, EMBEDDINGS=${about.embeddings}, answers by ${about.backend}${about.model ? ` (${about.model})` : ''}`);

  if (parts.has('retrieval')) {
    out();
    out(`Retrieval (${opts.questions}; Recall@k = a relevant paper in the top k)`);
    const rows = [];
    for (const mode of ['dense', 'bm25', 'hybrid'] as SearchMode[]) rows.push(await evaluateRetrieval((q, o) => litbot.search(q, o), questions, mode));
    out(formatRetrievalTable(rows));
    out('  targets for hybrid: R@5 >= 0.97, MRR@10 >= 0.90');
    if (opts.misses) for (const m of rows[2].misses) out(`  miss ${m.id}: ${m.question}`);
  }
  if (parts.has('topics')) {
    out();
    printTopicEval(litbot.topics(), JSON.parse(readFileSync(opts.topics, 'utf8')) as Record<string, string>, out);
  }
  if (parts.has('answers')) {
    out();
    out(`Answers (${opts.questions})`);
    await runAnswerEval((q) => litbot.ask(q), questions, out, (id) => litbot.paperById(id));
    out();
    out(`Follow-ups (${opts.followups})`);
    const conversations = JSON.parse(readFileSync(opts.followups, 'utf8')) as FollowUp[];
    await runFollowUpEval((q, history) => litbot.ask(q, { history }), conversations, out);
  }
  if (parts.has('content')) {
    const files = [opts.questions, opts.discord].filter((f) => existsSync(f));
    await runContentEval((q, history) => litbot.ask(q, { history }), files, out, opts.split.split(',') as ('tune' | 'test')[]);
  }
  await litbot.close();
});
