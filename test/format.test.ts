import { describe, expect, it } from 'vitest';
import type { AnswerResult } from '../src/answer/types.js';
import { answerJson, formatAnswer, plainMarkdown } from '../src/cli/format.js';

const result: AnswerResult = {
  question: 'q',
  kind: 'answer',
  answer: 'From *A \\*Star\\* Paper*: it works [1].',
  refused: false,
  citations: [{ n: 1, paperId: 'p1', title: 'A *Star* Paper', url: 'https://arxiv.org/abs/1' }],
  evidence: [{ n: 1, paperId: 'p1', title: 'A *Star* Paper', url: 'https://arxiv.org/abs/1', score: 0.123456789, passages: [{ chunkId: 'p1#0', text: 'long', score: 1 }] }],
  backend: 'extractive',
  timings: { retrieveMs: 1, composeMs: 2, totalMs: 3 },
};

describe('formatAnswer', () => {
  it('prints the answer as plain text with numbered sources and their links', () => {
    expect(formatAnswer(result)).toBe('From A *Star* Paper: it works [1].\n\nSources:\n  [1] A *Star* Paper\n      https://arxiv.org/abs/1\n\n(extractive · 3 ms)');
  });

  it('lists suggestions and the note for a declined answer', () => {
    const declined = {
      ...result,
      kind: 'declined' as const,
      answer: 'Not covered.',
      refused: true,
      citations: [],
      suggestions: [{ title: 'Topic X' }, { title: 'Paper Y', url: 'https://y' }],
      note: 'n',
    };
    expect(formatAnswer(declined, { timings: false })).toBe('Not covered.\n\n  - Topic X\n  - Paper Y\n      https://y\n\nNote: n');
  });
});

describe('answerJson and plainMarkdown', () => {
  it('keeps the result fields and slims the evidence to its sources', () => {
    const json = answerJson(result);
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['question', 'answer', 'refused', 'citations', 'backend', 'timings', 'evidence']));
    expect(json.evidence).toEqual([{ n: 1, paperId: 'p1', title: 'A *Star* Paper', url: 'https://arxiv.org/abs/1', score: 0.12346 }]);
  });
  it('drops emphasis but leaves arithmetic alone', () => {
    expect(plainMarkdown('**bold** and *it* but 2*3*4')).toBe('bold and it but 2*3*4');
  });
});
