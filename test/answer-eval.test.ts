import { describe, expect, it } from 'vitest';
import type { AnswerResult } from '../src/answer/types.js';
import { citationProblems, runAnswerEval } from '../src/measure/answer-eval.js';
import { seedPaper } from './helpers/lexical-retrieve.js';

const migu = seedPaper('Unlocking Continual Learning Abilities');
const byId = (id: string) => (id === migu.id ? migu : undefined);
const base: AnswerResult = {
  question: 'q',
  kind: 'answer',
  answer: 'MIGU helps [1].',
  refused: false,
  citations: [{ n: 1, paperId: migu.id, title: migu.title, url: migu.url }],
  evidence: [],
  backend: 'extractive',
  timings: { retrieveMs: 0, composeMs: 0, totalMs: 0 },
};

describe('citationProblems', () => {
  it('accepts citations that name corpus papers by their own title and link, each cited in the text', () => {
    expect(citationProblems(base, byId)).toEqual([]);
  });
  it('flags an invented paper, a changed link, and markers that differ from the citations', () => {
    expect(citationProblems({ ...base, citations: [{ ...base.citations[0], paperId: 'nope' }] }, byId)).toEqual(['[1] cites unknown paper nope']);
    expect(citationProblems({ ...base, citations: [{ ...base.citations[0], url: 'https://example.com' }] }, byId)).toEqual(['[1] url differs from the corpus']);
    expect(citationProblems({ ...base, answer: 'MIGU helps [1] and [2].' }, byId)).toEqual(['markers [1, 2] differ from citations [1]']);
  });
});

describe('runAnswerEval', () => {
  it('counts answered, declined, relevant and valid answers by question kind', async () => {
    const lines: string[] = [];
    const report = await runAnswerEval(
      async (q) => (q.startsWith('in') ? base : { ...base, kind: 'declined' as const, answer: 'Not covered.', refused: true, citations: [] }),
      [
        { id: 'a', question: 'in 1', relevant: [migu.id], kind: 'answerable' },
        { id: 'b', question: 'in 2', relevant: ['other'], kind: 'answerable' },
        { id: 'c', question: 'out', relevant: [], kind: 'out-of-corpus' },
        { id: 'd', question: 'in but false', relevant: [], kind: 'false-premise' },
      ],
      (l) => lines.push(l),
      byId,
    );
    expect(report.answeredRate).toBe(1);
    expect(report.citesRelevantRate).toBe(0.5);
    expect(report.declinedRate).toBe(0.5);
    expect(report.declinedOutOfCorpus).toBe(1);
    expect(report.declinedFalsePremise).toBe(0);
    expect(report.citationValidity).toBe(1);
    expect(lines.join('\n')).toMatch(/citation validity: +100\.0%/);
    expect(report.heldOut).toBeUndefined();
  });

  it('also reports the questions added later (heldOut) apart from the first ones', async () => {
    const lines: string[] = [];
    const report = await runAnswerEval(
      async (q) => (q.startsWith('in') ? base : { ...base, kind: 'declined' as const, answer: 'Not covered.', refused: true, citations: [] }),
      [
        { id: 'a', question: 'in 1', relevant: [migu.id], kind: 'answerable' },
        { id: 'c', question: 'out', relevant: [], kind: 'out-of-corpus' },
        { id: 'e', question: 'in 3', relevant: [migu.id], kind: 'answerable', heldOut: true },
        { id: 'f', question: 'in, false', relevant: [], kind: 'false-premise', heldOut: true },
      ],
      (l) => lines.push(l),
      byId,
    );
    expect(report.heldOut).toEqual({ answeredRate: 1, declinedRate: 0 });
    expect(lines.join('\n')).toMatch(/first questions: +answered 100\.0% \(1\/1\), declined 100\.0% \(1\/1\)/);
    expect(lines.join('\n')).toMatch(/added later \(heldOut\): answered 100\.0% \(1\/1\), declined 0\.0% \(0\/1\)/);
  });
});
