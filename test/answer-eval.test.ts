import { describe, expect, it } from 'vitest';
import type { AnswerResult } from '../src/answer/types.js';
import { answerSentences, citationProblems, displayText, factsShare, runAnswerEval, runConversationEval, runKeyFactsEval } from '../src/measure/answer-eval.js';
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

describe('the answer-content score', () => {
  const facts = [
    { text: 'MIGU updates only outputs with large magnitudes', keys: ['magnitude'] },
    { text: 'it gains 15.2% accuracy', keys: ['15.2%', 'accuracy|acc.'] },
  ];

  it('counts a fact when every key has an alternative in the text as shown, escapes and emphasis removed', () => {
    const shown = { ...base, answer: 'From *MIGU\\_paper*: only large *magnitudes* are updated [1]. MIGU brings a 15.2% average accuracy improvement [1].' };
    expect(displayText(shown)).toBe('From MIGU_paper: only large magnitudes are updated [1]. MIGU brings a 15.2% average accuracy improvement [1].');
    expect(factsShare(shown, facts)).toBe(1);
    expect(factsShare({ ...shown, answer: 'Only large magnitudes are updated [1].' }, facts)).toBe(0.5);
    expect(factsShare({ ...shown, kind: 'declined', refused: true }, facts)).toBe(0);
  });

  it('reads an answer\'s sentences without the "From *Title*: " and list lead-ins', () => {
    const text = 'From *A: B*: MIGU brings 15.2% [1]. It is simple [1].\n\n*Other* adds: More [2].\n• *Third*: Listed [3].';
    expect(answerSentences({ ...base, answer: text })).toEqual(['MIGU brings 15.2% [1].', 'It is simple [1].', 'More [2].', 'Listed [3].']);
  });

  it('scores key facts, figure-first answers and cited relevance over the questions that have facts', async () => {
    const lines: string[] = [];
    const report = await runKeyFactsEval(
      async (q) => (q.startsWith('how much') ? { ...base, answer: 'From *X*: It gains 15.2% accuracy [1]. Magnitude [1].' } : { ...base, answer: 'Magnitude only [1].' }),
      [
        { id: 'a', question: 'how much does MIGU gain?', kind: 'answerable', relevant: [migu.id], facts },
        { id: 'b', question: 'what does MIGU do?', kind: 'answerable', relevant: ['other'], facts },
        { id: 'c', question: 'no facts here', kind: 'answerable', relevant: [] },
      ],
      (l) => lines.push(l),
    );
    expect(report).toMatchObject({ questions: 2, answered: 2, allStated: 1, meanShare: 0.75, figureQuestions: 1, figureStated: 1, figureFirst: 1, cited: 2, citedRelevant: 1 });
    expect(lines.join('\n')).toMatch(/key facts stated \(mean share per question, declined = 0\): 75\.0% over 2 questions/);
  });

  it('counts a conversation right only when every follow-up cites a paper its turn lists, or nothing when it lists none', async () => {
    const lines: string[] = [];
    const cites = (id: string): AnswerResult => ({ ...base, citations: [{ ...base.citations[0], paperId: id }] });
    const nothing: AnswerResult = { ...base, kind: 'smalltalk', answer: 'Hi!', citations: [] };
    const report = await runConversationEval(
      async (q) => (q === 'hi' ? nothing : q.includes('other') ? cites('other') : cites(migu.id)),
      [
        {
          id: 'c1',
          turns: [
            { question: 'migu?', relevant: [migu.id] },
            { question: 'its results?', relevant: [migu.id] },
          ],
        },
        {
          id: 'c2',
          turns: [
            { question: 'migu?', relevant: [migu.id] },
            { question: 'what about other', relevant: [migu.id] },
          ],
        },
        {
          id: 'c3',
          turns: [
            { question: 'migu?', relevant: [migu.id] },
            { question: 'hi', relevant: [] },
          ],
        },
        {
          // The first turn is wrong, the follow-up right: right as a conversation of follow-ups, not every turn.
          id: 'c4',
          turns: [
            { question: 'the other one', relevant: [migu.id] },
            { question: 'its results?', relevant: [migu.id] },
          ],
        },
      ],
      (l) => lines.push(l),
    );
    expect(report).toEqual({ conversations: 4, right: 3, lastRight: 3, allRight: 2 });
    expect(lines.join('\n')).toMatch(/c2: migu\? -> answer \/ what about other -> answer \(wrong\)/);
  });
});
