/** `npm run topics [-- "topic"] [--json]`: the collection's topics with their sizes and papers, most central first. */
import type { Topic } from '../browse/types.js';
import { createLitbot, type Litbot } from '../litbot.js';
import { program, runCli } from './run-cli.js';

/** The JSON printed by `--json`: `{"topics": [{"id", "label", "papers": [{"paperId", "title", "url"}]}]}`. */
export function topicsJson(litbot: Pick<Litbot, 'paperById'>, topics: Topic[]) {
  return {
    topics: topics.map((t) => ({
      id: t.id,
      label: t.label,
      papers: t.papers.map(({ paperId }) => {
        const paper = litbot.paperById(paperId);
        return { paperId, title: paper?.title ?? '(missing from the index)', url: paper?.url ?? null };
      }),
    })),
  };
}

export function formatTopics(litbot: Pick<Litbot, 'paperById'>, topics: Topic[], papersShown: number): string {
  if (!topics.length) return 'The index has no topics. Rebuild it with: npm run index -- --force';
  const total = topics.reduce((n, t) => n + t.papers.length, 0);
  const lines = topics.length > 1 ? [`${topics.length} topics over ${total} papers (papers most central first):`, ''] : [];
  for (const t of topics) {
    lines.push(`#${t.id}  ${t.label}  (${t.papers.length} papers)`);
    if (t.keyPhrases.length > 2) lines.push(`    key phrases: ${t.keyPhrases.join(', ')}`);
    for (const { paperId } of t.papers.slice(0, papersShown)) lines.push(`    - ${litbot.paperById(paperId)?.title ?? paperId}`);
    if (t.papers.length > papersShown) lines.push(`    ... and ${t.papers.length - papersShown} more (npm run topics -- ${t.id})`);
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

await runCli(async () => {
  const cmd = program('topics', 'The research topics found in the collection, with their papers.')
    .argument('[topic...]', 'one topic, by id or words of its label; all topics when omitted')
    .option('--json', 'print JSON on stdout')
    .option('--all', 'list every paper of every topic (default: five per topic, all for one topic)')
    .parse();
  const opts = cmd.opts<{ json?: boolean; all?: boolean }>();
  const query = cmd.args.join(' ').trim();
  const litbot = await createLitbot({ buildIfMissing: true });
  try {
    const topics = query ? [litbot.topic(query)] : litbot.topics();
    if (opts.json) process.stdout.write(`${JSON.stringify(topicsJson(litbot, topics))}\n`);
    else process.stdout.write(`${formatTopics(litbot, topics, query || opts.all ? Infinity : 5)}\n`);
  } finally {
    await litbot.close();
  }
});
