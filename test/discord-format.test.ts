import { describe, expect, it } from 'vitest';
import type { AnswerResult } from '../src/answer/types.js';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { LIMITS, embedSize, formatAnswer, formatPaper, formatTopicPage, link, packEmbeds, splitText, trimText } from '../src/discord/format.js';

const papers = loadCorpus('seeds').papers;
const LINK = /\[(?:[^\[\]\\\n]|\\.)*\]\((?:[^()\s\\]|\\.)*\)/g;

/** Text built from real abstracts, with a Markdown link to a real paper (of `pool`) after every sentence. */
function linkedText(chars: number, pool = papers): string {
  let text = '';
  for (let i = 0; text.length < chars; i++) {
    const p = pool[i % pool.length];
    text += `${p.abstract.split('. ')[0]}. See ${link(p.title, p.url)} [${(i % 5) + 1}].${i % 4 === 3 ? '\n\n' : ' '}`;
  }
  return text;
}

function answerOf(text: string): AnswerResult {
  const cited = papers.slice(0, 5);
  return {
    question: 'q',
    kind: 'answer',
    answer: text,
    refused: false,
    citations: cited.map((p, i) => ({ n: i + 1, paperId: p.id, title: p.title, url: p.url })),
    evidence: [],
    backend: 'extractive',
    timings: { retrieveMs: 10, composeMs: 20, totalMs: 1234 },
  };
}

describe('splitText', () => {
  it('keeps every piece within the limit and every Markdown link whole', () => {
    const text = linkedText(20_000);
    const pieces = splitText(text, 2_000);
    expect(pieces.length).toBeGreaterThan(9);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(2_000);
    const linksBefore = text.match(LINK)!;
    const linksAfter = pieces.flatMap((p) => p.match(LINK) ?? []);
    expect(linksAfter).toEqual(linksBefore);
    // Nothing is lost but the whitespace at the cuts.
    expect(pieces.join(' ').replace(/\s+/g, ' ')).toBe(text.trim().replace(/\s+/g, ' '));
  });

  it('cuts at a paragraph break when one is in the second half of the window', () => {
    const text = `${'a '.repeat(400)}\n\n${'b '.repeat(400)}`;
    expect(splitText(text, 1_000)).toEqual(['a '.repeat(400).trim(), 'b '.repeat(400).trim()]);
  });

  it('moves a bare URL that straddles the limit to the next piece', () => {
    const url = `https://example.org/${'x'.repeat(60)}`;
    const text = `${'word'.repeat(24)}${url}`;
    const pieces = splitText(text, 100);
    expect(pieces).toEqual(['word'.repeat(24), url]);
  });
});

describe('trimText', () => {
  it('ends with an ellipsis within the limit and never inside a link', () => {
    const text = linkedText(5_000);
    for (const max of [100, 257, 1_000, 4_096]) {
      const trimmed = trimText(text, max);
      expect(trimmed.length).toBeLessThanOrEqual(max);
      expect(trimmed.endsWith('…')).toBe(true);
      const opened = (trimmed.match(/\]\(/g) ?? []).length;
      expect(trimmed.match(LINK)?.length ?? 0).toBe(opened);
    }
  });
});

describe('link', () => {
  it('escapes brackets in the title and parentheses in the URL', () => {
    expect(link('A [draft] of *it*', 'https://x.org/a_(b)')).toBe('[A \\[draft\\] of \\*it\\*](https://x.org/a_%28b%29)');
  });
});

describe('formatAnswer', () => {
  it('puts a short answer, its sources and the footer in one embed with the buttons', () => {
    const [message, ...rest] = formatAnswer(answerOf('Short answer [1].'), { question: 'Why?', answerId: 'abc' });
    expect(rest).toEqual([]);
    const embed = message.embeds![0] as any;
    expect(embed.title).toBe('Why?');
    expect(embed.description).toContain('Short answer [1].\n\n**Sources**\n**[1]** [');
    expect(embed.footer.text).toBe('extractive · 1.2 s');
    expect(message.allowedMentions).toEqual({ parse: [], repliedUser: false });
    expect(JSON.stringify(message.components)).toContain('ask:evidence:abc');
  });

  it('splits an over-long answer into messages within every Discord limit, buttons on the last', () => {
    // Answers keep only links to the papers they cite.
    const text = linkedText(30_000, papers.slice(0, 5));
    const messages = formatAnswer(answerOf(text), { question: 'A long one?', answerId: 'id1' });
    expect(messages.length).toBeGreaterThan(4);
    let description = '';
    for (const [i, m] of messages.entries()) {
      const embeds = m.embeds as any[];
      expect(embeds.length).toBeLessThanOrEqual(LIMITS.embedsPerMessage);
      expect(embeds.reduce((n, e) => n + embedSize(e), 0)).toBeLessThanOrEqual(LIMITS.embedsTotal);
      for (const e of embeds) expect(e.description.length).toBeLessThanOrEqual(LIMITS.description);
      expect(Boolean(m.components)).toBe(i === messages.length - 1);
      description += embeds.map((e) => e.description).join(' ');
    }
    expect(description.match(LINK)!.slice(0, (text.match(LINK) ?? []).length)).toEqual(text.match(LINK));
  });
});

describe('packEmbeds', () => {
  it('starts a new message at ten embeds or six thousand characters', () => {
    const small = Array.from({ length: 23 }, () => ({ description: 'x'.repeat(100) }));
    expect(packEmbeds(small).map((g) => g.length)).toEqual([10, 10, 3]);
    const big = Array.from({ length: 3 }, () => ({ description: 'x'.repeat(4_000) }));
    expect(packEmbeds(big).map((g) => g.length)).toEqual([1, 1, 1]);
  });
});

describe('formatTopicPage', () => {
  it('pages a long topic with Previous and Next buttons that name the page', () => {
    const topic = { id: 3, label: 'large language models', keyPhrases: [], papers: papers.slice(0, 40).map((p) => ({ paperId: p.id, centrality: 1 })) };
    const page = formatTopicPage(topic, papers.slice(0, 40), 1);
    const embed = page.embeds![0] as any;
    expect(embed.footer.text).toBe('40 papers · page 2 of 3');
    expect(embed.description.split('\n')).toHaveLength(15);
    expect(embed.description.startsWith('**16.** [')).toBe(true);
    const ids = JSON.parse(JSON.stringify(page.components))[0].components.map((b: any) => b.custom_id);
    expect(ids).toEqual(['topics:page:3:0', 'topics:page:3:2']);
  });
});

describe('formatAnswer for a refusal', () => {
  it('lists the suggestions as links right under the refusal, with no sources', () => {
    const [p1] = papers;
    const refusal: AnswerResult = {
      ...answerOf('The papers in this collection do not seem to cover that. The closest papers:'),
      kind: 'declined',
      refused: true,
      citations: [],
      suggestions: [{ title: p1.title, url: p1.url }, { title: 'continual learning' }],
    };
    const embed = formatAnswer(refusal, { question: 'What is the GDP of France?' })[0].embeds![0] as any;
    expect(embed.description).toBe(`The papers in this collection do not seem to cover that. The closest papers:\n• ${link(p1.title, p1.url)}\n• continual learning`);
  });
});

describe('formatPaper', () => {
  it('keeps a paper with very long metadata within the per-message limits', () => {
    const p = papers[0];
    const huge = {
      ...p,
      title: p.title.repeat(10),
      abstract: p.abstract.repeat(20),
      authors: Array.from({ length: 300 }, (_, i) => `Author Number ${i}`),
      authorCount: 300,
      venue: 'V'.repeat(500),
      tags: Array.from({ length: 200 }, (_, i) => `tag-${i}`),
      date: 'May 23, 2023',
    };
    const topic = { id: 1, label: 'x · '.repeat(400), keyPhrases: [], papers: [] };
    const embed = formatPaper(huge, topic).embeds![0] as any;
    expect(embed.title.length).toBeLessThanOrEqual(LIMITS.title);
    expect(embed.description.length).toBeLessThanOrEqual(LIMITS.description);
    for (const f of embed.fields) expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    expect(embedSize(embed)).toBeLessThanOrEqual(LIMITS.embedsTotal);
    expect(embed.fields.find((f: any) => f.name === 'Authors').value).toMatch(/and 292 more$/);
  });
});
