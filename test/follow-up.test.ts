import { describe, expect, it } from 'vitest';
import { createAnswerer } from '../src/answer/answerer.js';
import { lastAnsweredTurn, readFollowUp, type KnownTerms } from '../src/answer/follow-up.js';
import { buildPostings } from '../src/answer/term-postings.js';
import { termSet } from '../src/answer/terms.js';
import type { AnswerResult, Turn } from '../src/answer/types.js';
import { loadConfig } from '../src/config/env.js';
import type { SearchOptions } from '../src/retrieval/types.js';
import { lexicalRetrieve, seedPaper, seedPapers } from './helpers/lexical-retrieve.js';

const migu = seedPaper('Unlocking Continual Learning Abilities');
const loraDropout = seedPaper('LoRA Dropout');
const byId = (id: string) => seedPapers().find((p) => p.id === id);

const postings = buildPostings(seedPapers());
const known: KnownTerms = {
  papers: postings.papers,
  papersWith: (t) => postings.postings.get(t)?.size ?? 0,
  titlesWith: (t) => postings.titles.get(t) ?? 0,
  termsOf: (id) => {
    const p = byId(id);
    return p && termSet(`${p.title} ${p.abstract}`);
  },
};

function turn(question: string, kind: AnswerResult['kind'], cited: string[] = []): Turn {
  const citations = cited.map((id, i) => ({ n: i + 1, paperId: id, title: byId(id)!.title, url: byId(id)!.url }));
  return {
    question,
    answer: { question, kind, answer: '', refused: kind === 'declined', citations, evidence: [], backend: 'extractive', timings: { retrieveMs: 0, composeMs: 0, totalMs: 0 } },
  };
}

describe('readFollowUp', () => {
  const onLora = [turn('how does LoRA dropout reduce overfitting?', 'answer', [loraDropout.id])];

  it('moves to a method the previous paper never mentions', () => {
    expect(readFollowUp('what about MIGU?', onLora, known)).toMatchObject({ mode: 'moves', newSubjects: ['MIGU'] });
    expect(readFollowUp('and hedgehog?', onLora, known)).toMatchObject({ mode: 'moves' });
    // Typed fast: the subject after "wat about" is what retrieval gets.
    expect(readFollowUp('wat about MIGU', onLora, known)).toMatchObject({ mode: 'moves', subject: 'MIGU' });
  });

  it('moves to a paper named after fillers ("hmm what about orca"), though a previous paper mentions it', () => {
    const tulu = seedPaper('TÜLU 3');
    const recipe = seedPaper('Unveiling the Secret Recipe');
    const orca = seedPaper('Orca: Progressive Learning');
    // The premise of the case: the previous answer cites a paper whose abstract names Orca.
    expect(recipe.abstract).toMatch(/\bOrca\b/);
    const onTulu = [turn('tulu 3?', 'answer', [tulu.id, recipe.id])];
    expect(readFollowUp('hmm what about orca', onTulu, known)).toMatchObject({ mode: 'moves', subject: 'orca' });
    expect(readFollowUp('ok and orca?', onTulu, known)).toMatchObject({ mode: 'moves' });
    // The previous paper's own title word still keeps the question with it.
    expect(readFollowUp('hmm what about orca', [turn('orca?', 'answer', [orca.id])], known).mode).not.toBe('moves');
  });

  it('returns to an earlier turn by its place or its subject ("back to the first one", "back to the farming one")', () => {
    const tulu = seedPaper('TÜLU 3');
    const orca = seedPaper('Orca: Progressive Learning');
    const farming = seedPaper('RAG vs Fine-tuning');
    const tptu = seedPaper('TPTU-v2');
    const first = readFollowUp('ok back to the first one, what did it beat', [turn('tulu 3?', 'answer', [tulu.id]), turn('hmm what about orca', 'answer', [orca.id])], known);
    expect(first.mode).toBe('results');
    expect(first.previous?.question).toBe('tulu 3?');
    // "farming" is in the agriculture paper's abstract, not in its title or the question that found it.
    const history = [turn('tulu 3?', 'answer', [tulu.id]), turn('rag vs finetuning agriculture paper', 'answer', [farming.id]), turn('ok and whats tptu v2', 'answer', [tptu.id])];
    expect(readFollowUp('back to the farming one, what models did they test', history, known).previous?.question).toBe('rag vs finetuning agriculture paper');
    // No earlier paper to go back to: read as usual.
    expect(readFollowUp('back to the first one, what did it beat', [turn('tulu 3?', 'answer', [tulu.id])], known).previous?.question).toBe('tulu 3?');
  });

  it('keeps the previous papers for a comparison among them', () => {
    const onTwo = [turn('npo vs gradient ascent', 'answer', [loraDropout.id, migu.id])];
    expect(readFollowUp('which one keeps more utility on tofu', onTwo, known).mode).toBe('leans');
    expect(readFollowUp('which of them is cheaper?', onTwo, known).mode).toBe('leans');
  });

  it('stays with the previous paper for its results or a question about it', () => {
    expect(readFollowUp('what about its results?', onLora, known).mode).toBe('results');
    expect(readFollowUp('how much better was it', onLora, known).mode).toBe('results');
    expect(readFollowUp('how does it do at test time, is there an ensemble trick?', onLora, known).mode).toBe('leans');
  });

  it('reads a question after a declined turn on its own, and looks past small talk', () => {
    const declined = [...onLora, turn('best pizza topping?', 'declined')];
    expect(readFollowUp('what about its results?', declined, known)).toEqual({ mode: 'standalone' });
    expect(lastAnsweredTurn(declined)).toBeUndefined();
    const thanked = [...onLora, turn('thanks!', 'smalltalk')];
    expect(lastAnsweredTurn(thanked)?.question).toBe('how does LoRA dropout reduce overfitting?');
    expect(readFollowUp('what about its results?', thanked, known).mode).toBe('results');
  });
});

describe('follow-ups through the extractive answerer on the seed papers', () => {
  // BM25 over the seed papers, marked as strong dense matches so the coverage rule lets them through.
  const queries: string[] = [];
  const retrieve = async (query: string, options?: SearchOptions) => {
    queries.push(query);
    const r = await lexicalRetrieve(query, options);
    return { ...r, hits: r.hits.map((h) => ({ ...h, dense: 0.7 })) };
  };
  const answerer = createAnswerer({ env: loadConfig({}), retrieve, corpus: seedPapers(), paperById: byId });
  const FIRST = 'how does LoRA dropout reduce overfitting of low-rank adapters?';

  it('cites the newly named method, not the previous paper', async () => {
    const first = await answerer.answer(FIRST);
    expect(first.citations[0].paperId).toBe(loraDropout.id);
    const next = await answerer.answer('what about MIGU?', { history: [{ question: FIRST, answer: first }] });
    expect(next.refused).toBe(false);
    expect(next.citations[0].paperId).toBe(migu.id);
    expect(next.citations.map((c) => c.paperId)).not.toContain(loraDropout.id);
  });

  it('quotes the previous paper\'s result sentences for "what about its results?"', async () => {
    const question = 'how does MIGU use gradient magnitudes to avoid catastrophic forgetting?';
    const first = await answerer.answer(question);
    expect(first.citations[0].paperId).toBe(migu.id);
    const next = await answerer.answer('what about its results?', { history: [{ question, answer: first }] });
    expect(next.citations.map((c) => c.paperId)).toEqual([migu.id]);
    expect(next.answer).toMatch(/15\.2% average accuracy improvement/);
    // The figure opens the answer, after the paper's title.
    expect(next.answer.replace(/^From \*.*?\*: /, '')).toMatch(/^MIGU brings a 15\.2%/);
  });

  it('stays with the previous paper when the follow-up holds its rare word, though another word sits in a few titles', async () => {
    const traps = seedPaper('Copyright Traps');
    const first = await answerer.answer('copyright traps for llms');
    expect(first.citations[0].paperId).toBe(traps.id);
    // "long" is in two titles (long-context papers), "traps" only in the previous paper.
    const next = await answerer.answer('how long do the traps need to be', { history: [{ question: 'copyright traps for llms', answer: first }] });
    expect(next.citations[0].paperId).toBe(traps.id);
    expect(['leans', 'results']).toContain(readFollowUp('how long do the traps need to be', [{ question: 'copyright traps for llms', answer: first }], known).mode);
  });

  it('answers "back to the first one" from the first turn\'s paper, after a turn on another', async () => {
    const history: Turn[] = [];
    for (const q of ['how does MIGU use gradient magnitudes to avoid catastrophic forgetting?', 'what about lora dropout?'])
      history.push({ question: q, answer: await answerer.answer(q, { history: [...history] }) });
    expect(history.map((t) => t.answer.citations[0]?.paperId)).toEqual([migu.id, loraDropout.id]);
    const back = await answerer.answer('ok back to the first one, how much did it improve', { history });
    expect(back.citations.map((c) => c.paperId)).toEqual([migu.id]);
  });

  it('reads a follow-up after a declined turn on its own', async () => {
    const declined = await answerer.answer('what is the best sourdough starter?');
    expect(declined.refused).toBe(true);
    queries.length = 0;
    await answerer.answer('how does LoRA dropout reduce overfitting?', { history: [{ question: 'what is the best sourdough starter?', answer: declined }] });
    expect(queries).toEqual(['how does LoRA dropout reduce overfitting?']);
  });
});
