/** `npm run paper -- "title" [--json]`: one paper by a half-remembered title: link, metadata, topic, abstract. */
import { listedByText, type Paper } from '../corpus/paper.js';
import type { Topic } from '../browse/types.js';
import type { LookupMatch } from '../browse/types.js';
import { createLitbot } from '../litbot.js';
import { program, runCli } from './run-cli.js';

export function paperJson(paper: Paper, topic: Topic | undefined, others: LookupMatch[]) {
  return {
    paperId: paper.id,
    title: paper.title,
    titleDerived: paper.titleDerived,
    url: paper.url,
    authors: paper.authors ?? null,
    listedBy: paper.listedBy ?? null,
    date: paper.date ?? null,
    venue: paper.venue ?? null,
    tags: paper.tags ?? null,
    topic: topic ? { id: topic.id, label: topic.label } : null,
    abstract: paper.abstract,
    sources: paper.sources.map((s) => `${s.file}:${s.line}`),
    otherMatches: others.map((m) => ({ paperId: m.paperId, title: m.title, score: m.score })),
  };
}

export function formatPaper(paper: Paper, topic: Topic | undefined, others: LookupMatch[]): string {
  const meta = [
    paper.authors?.length
      ? `Authors: ${paper.authors.join(', ')}${paper.authorCount && paper.authorCount > paper.authors.length ? ` (+${paper.authorCount - paper.authors.length})` : ''}`
      : listedByText(paper)?.replace(/^with/, 'Authors: with'),
    paper.date ? `Date: ${paper.date}` : undefined,
    paper.venue ? `Venue: ${paper.venue}` : undefined,
    paper.tags?.length ? `Tags: ${paper.tags.join(', ')}` : undefined,
    `Topic: ${topic ? `#${topic.id} ${topic.label}` : '(none)'}`,
  ].filter(Boolean);
  const lines = [paper.title + (paper.titleDerived ? '  (title derived from the abstract)' : ''), paper.url, ...meta, '', paper.abstract];
  if (others.length) lines.push('', 'Other close titles:', ...others.map((m) => `  - ${m.title}`));
  return lines.join('\n');
}

await runCli(async () => {
  const cmd = program('paper', 'Show a paper found by (part of) its title: link, metadata, topic and abstract.')
    .argument('<title...>', 'any part of the title, an acronym, typos forgiven')
    .option('--json', 'print JSON on stdout')
    .parse();
  const opts = cmd.opts<{ json?: boolean }>();
  const query = cmd.args.join(' ').trim();
  const litbot = await createLitbot({ buildIfMissing: true });
  try {
    const paper = litbot.paper(query);
    const topic = litbot.topicOf(paper.id);
    const others = litbot
      .lookup(query, 4)
      .filter((m) => m.paperId !== paper.id)
      .slice(0, 3);
    process.stdout.write(opts.json ? `${JSON.stringify(paperJson(paper, topic, others))}\n` : `${formatPaper(paper, topic, others)}\n`);
  } finally {
    await litbot.close();
  }
});
