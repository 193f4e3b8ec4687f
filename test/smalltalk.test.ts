import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exampleQuestions, smalltalkIntent, smalltalkReply, withoutSmalltalk } from '../src/answer/smalltalk.js';
import type { Topic } from '../src/browse/types.js';
import type { Litbot } from '../src/litbot.js';
import { seedPaper } from './helpers/lexical-retrieve.js';
import { createTestLitbot } from './helpers/test-litbot.js';

const questions: { question: string }[] = JSON.parse(readFileSync('test/fixtures/questions.json', 'utf8'));

describe('smalltalkIntent', () => {
  it('recognises greetings, thanks, goodbyes and questions about Litbot itself', () => {
    expect(smalltalkIntent('hi')).toBe('greeting');
    expect(smalltalkIntent('Hey there!')).toBe('greeting');
    expect(smalltalkIntent('<@1234> hello')).toBe('greeting');
    expect(smalltalkIntent('thanks!')).toBe('thanks');
    expect(smalltalkIntent('ok thank you so much')).toBe('thanks');
    expect(smalltalkIntent('bye')).toBe('goodbye');
    expect(smalltalkIntent('what can you do?')).toBe('capabilities');
    expect(smalltalkIntent('help')).toBe('capabilities');
    expect(smalltalkIntent('hi, what can you do?')).toBe('capabilities');
    expect(smalltalkIntent('who made you')).toBe('identity');
    expect(smalltalkIntent('how are you?')).toBe('wellbeing');
  });

  it('leaves real questions alone, however they open', () => {
    expect(smalltalkIntent('help me find papers on unlearning')).toBeUndefined();
    expect(smalltalkIntent('hi, what is LoRA dropout?')).toBeUndefined();
    expect(smalltalkIntent('what do you know about unlearning?')).toBeUndefined();
    expect(smalltalkIntent('thanks! and what about its results?')).toBeUndefined();
    expect(smalltalkIntent('rag')).toBeUndefined();
    expect(smalltalkIntent('MIGU?')).toBeUndefined();
    for (const q of questions) expect(smalltalkIntent(q.question), q.question).toBeUndefined();
  });

  it('strips a greeting or thanks in front of a question, and nothing else', () => {
    expect(withoutSmalltalk('hi, what is LoRA dropout?')).toBe('what is LoRA dropout?');
    expect(withoutSmalltalk('thanks! and what about its results?')).toBe('what about its results?');
    expect(withoutSmalltalk('help me find papers on unlearning')).toBe('help me find papers on unlearning');
    expect(withoutSmalltalk('What does MIGU do?')).toBe('What does MIGU do?');
  });
});

describe('the small-talk reply', () => {
  const migu = seedPaper('Unlocking Continual Learning Abilities');
  const topics: Topic[] = [
    {
      id: 1,
      label: 'graph clustering · motifs',
      keyPhrases: ['graph clustering', 'motifs'],
      papers: [
        { paperId: 'a', centrality: 1 },
        { paperId: 'b', centrality: 0.9 },
        { paperId: 'c', centrality: 0.8 },
      ],
    },
    { id: 2, label: 'continual learning · forgetting', keyPhrases: ['continual learning', 'forgetting'], papers: [{ paperId: migu.id, centrality: 1 }] },
  ];
  const titles: Record<string, string> = { a: 'Multi-order Graph Clustering', b: 'Motif counting', c: 'Hypergraphs', [migu.id]: `MIGU: ${migu.title}` };
  const facts = { papers: 4, topics, titleOf: (id: string) => titles[id] };

  it('draws its two example questions from the topics it is given', () => {
    expect(exampleQuestions(facts)).toEqual(['Which papers study graph clustering?', 'What does MIGU do for continual learning?']);
    const other = exampleQuestions({
      ...facts,
      topics: [{ ...topics[1], papers: [...topics[1].papers, { paperId: 'x', centrality: 0 }, { paperId: 'y', centrality: 0 }, { paperId: 'z', centrality: 0 }] }, topics[0]],
    });
    expect(other[0]).toBe('Which papers study continual learning?');
  });

  it('says what Litbot does and gives the examples, citing nothing', () => {
    const reply = smalltalkReply('capabilities', facts);
    expect(reply).toContain('4 research papers');
    expect(reply).toContain('"Which papers study graph clustering?"');
    expect(reply).not.toMatch(/\[\d+\]/);
    expect(smalltalkReply('thanks', facts)).toMatch(/^You're welcome!/);
  });
});

describe('small talk through Litbot on the seed papers', () => {
  let litbot: Litbot;
  beforeAll(async () => {
    litbot = (await createTestLitbot()).litbot;
  });

  it('answers "hi" with a friendly reply from the index\'s own topics, citing nothing and declining nothing', async () => {
    const result = await litbot.ask('hi');
    expect(result.kind).toBe('smalltalk');
    expect(result.refused).toBe(false);
    expect(result.citations).toEqual([]);
    expect(result.evidence).toEqual([]);
    const phrases = litbot.topics().flatMap((t) => t.keyPhrases);
    const examples = [...result.answer.matchAll(/• "([^"]+)"/g)].map((m) => m[1]);
    expect(examples).toHaveLength(2);
    expect(phrases.some((p) => examples[0].includes(p))).toBe(true);
  });

  it('answers the example questions it suggests', async () => {
    const result = await litbot.ask('what can you do?');
    const examples = [...result.answer.matchAll(/• "([^"]+)"/g)].map((m) => m[1]);
    for (const example of examples) {
      const answered = await litbot.ask(example);
      expect(answered.refused, example).toBe(false);
      expect(answered.citations.length, example).toBeGreaterThan(0);
    }
  });

  it('answers a question that opens with a greeting as a question', async () => {
    const result = await litbot.ask('hi! what does MIGU do to avoid catastrophic forgetting?');
    expect(result.kind).not.toBe('smalltalk');
    expect(result.question).toBe('hi! what does MIGU do to avoid catastrophic forgetting?');
  });
});
