/** Plain-text rendering for the terminal (ask and chat): answers with numbered sources and links, and the browse commands. */
import type { AnswerResult } from '../answer/types.js';
import type { LookupMatch, Topic } from '../browse/types.js';
import { listedByText, type Paper } from '../corpus/paper.js';
import type { Litbot } from '../litbot.js';
import type { SearchResponse } from '../retrieval/types.js';

/** Markdown emphasis and escapes read as noise in a terminal. */
export function plainMarkdown(text: string): string {
  // Escaped characters are set aside first so that "\*" inside a title is not taken for emphasis.
  const escaped: string[] = [];
  const held = text.replace(/\\([*_`~|\\[\]])/g, (_m, c: string) => `\u0000${escaped.push(c) - 1}\u0000`);
  return held
    .replace(/\*\*([^*\n]+)\*\*/g, '$1')
    .replace(/(^|[^*\w])\*([^*\n]+)\*(?=[^*\w]|$)/g, '$1$2')
    .replace(/\u0000(\d+)\u0000/g, (_m, i: string) => escaped[Number(i)]);
}

/** The sources block: "[1] Title" and its link on the next line. */
export function formatSources(result: AnswerResult): string {
  if (!result.citations.length) return '';
  return ['Sources:', ...result.citations.map((c) => `  [${c.n}] ${c.title}\n      ${c.url}`)].join('\n');
}

/** The answer text (without the body when it was already streamed), its sources, suggestions, note and a status line. */
export function formatAnswer(result: AnswerResult, options: { skipBody?: boolean; timings?: boolean } = {}): string {
  const parts: string[] = [];
  if (result.searchedFor) parts.push(`Searched for: ${result.searchedFor}`);
  if (!options.skipBody) parts.push(plainMarkdown(result.answer));
  const sources = formatSources(result);
  if (sources) parts.push(sources);
  if (result.refused && result.suggestions?.length) {
    // The answer text ends by introducing this list ("The closest papers:").
    parts.push(result.suggestions.map((s) => `  - ${s.title}${s.url ? `\n      ${s.url}` : ''}`).join('\n'));
  }
  if (result.note) parts.push(`Note: ${result.note}`);
  // Small talk is a fixed reply: the backend and time would only be noise under it.
  if (options.timings !== false && result.kind !== 'smalltalk') {
    const usage = result.usage?.totalTokens ? ` · ${result.usage.totalTokens} tokens` : '';
    parts.push(`(${result.backend}${result.model ? ` ${result.model}` : ''} · ${result.timings.totalMs} ms${usage})`);
  }
  return parts.join('\n\n');
}

/** The object `ask --json` prints: the result with evidence slimmed to its sources. */
export function answerJson(result: AnswerResult) {
  const { evidence, ...rest } = result;
  return { ...rest, evidence: evidence.map(({ n, paperId, title, url, score }) => ({ n, paperId, title, url, score: Number(score.toFixed(5)) })) };
}

export function formatTopicList(litbot: Pick<Litbot, 'paperById'>, topics: Topic[], papersShown = 3): string {
  if (!topics.length) return 'The index has no topics yet (rebuild it with: npm run index -- --force).';
  const lines = [`${topics.length} topics:`];
  for (const t of topics) {
    lines.push(`  #${t.id} ${t.label} (${t.papers.length} papers)`);
    for (const { paperId } of t.papers.slice(0, papersShown)) lines.push(`      - ${litbot.paperById(paperId)?.title ?? paperId}`);
  }
  lines.push('', "Type /topics <name or number> to list a topic's papers.");
  return lines.join('\n');
}

export function formatTopic(litbot: Pick<Litbot, 'paperById'>, topic: Topic): string {
  const lines = [`#${topic.id} ${topic.label} (${topic.papers.length} papers, most central first)`];
  if (topic.keyPhrases.length) lines.push(`  key phrases: ${topic.keyPhrases.join(', ')}`);
  for (const { paperId } of topic.papers) {
    const p = litbot.paperById(paperId);
    lines.push(`  - ${p?.title ?? paperId}${p ? `\n      ${p.url}` : ''}`);
  }
  return lines.join('\n');
}

export function formatPaperCard(paper: Paper, topic?: Topic, others: LookupMatch[] = []): string {
  const meta = [paper.authors?.length ? paper.authors.slice(0, 6).join(', ') + (paper.authors.length > 6 ? ', et al.' : '') : listedByText(paper), paper.date, paper.venue]
    .filter(Boolean)
    .join(' · ');
  const lines = [paper.title + (paper.titleDerived ? ' (title derived from the abstract)' : ''), `  ${paper.url}`];
  if (meta) lines.push(`  ${meta}`);
  if (topic) lines.push(`  topic: ${topic.label}`);
  lines.push('', paper.abstract);
  const more = others.filter((o) => o.paperId !== paper.id).slice(0, 3);
  if (more.length) lines.push('', 'Other close titles:', ...more.map((o) => `  - ${o.title}`));
  return lines.join('\n');
}

export function formatSimilarList(result: Awaited<ReturnType<Litbot['similar']>>): string {
  const lines = [`Papers like "${result.paper.title}":`];
  result.similar.forEach((s, i) => lines.push(`  ${i + 1}. ${s.paper.title} (${s.score.toFixed(2)})\n      ${s.paper.url}`));
  if (!result.similar.length) lines.push('  (none)');
  return lines.join('\n');
}

export function formatSearchHits(response: SearchResponse): string {
  if (!response.hits.length) return `No papers match "${response.query}".`;
  return response.hits
    .map((h, i) => {
      const snippet = h.passages[0]?.text ?? '';
      return `  ${i + 1}. ${h.paper.title}\n      ${h.paper.url}\n      ${snippet.length > 200 ? `${snippet.slice(0, 197)}...` : snippet}`;
    })
    .join('\n');
}
