import { describe, expect, it } from 'vitest';
import { asksForFigure, asksForList, asksForResults, asksWhatItIs } from '../src/answer/question-shape.js';

describe('question shapes', () => {
  it('knows a question asking for a figure', () => {
    for (const q of ['how much does MIGU improve accuracy?', 'by how many points does RAG help?', 'what accuracy does chatgpt get on bird', 'how fast is lexical unit decoding']) {
      expect(asksForFigure(q), q).toBe(true);
    }
    for (const q of ['what does MIGU do?', 'why do LLMs forget?']) expect(asksForFigure(q), q).toBe(false);
  });

  it('knows a question asking for several papers, not one asking what a paper says', () => {
    for (const q of [
      'which papers study machine unlearning?',
      'any papers on text-to-SQL?',
      'list papers on text to sql',
      'papers that distill big llms into small models',
      'are there any works on model merging?',
    ]) {
      expect(asksForList(q), q).toBe(true);
    }
    for (const q of ['what does the paper on MIGU propose?', 'which paper introduced BIRD?', 'gradient ascent unlearning makes gibberish, what works better?']) {
      expect(asksForList(q), q).toBe(false);
    }
  });

  it('knows a follow-up asking for results', () => {
    expect(asksForResults('what about its results?')).toBe(true);
    expect(asksForResults('how well does it work?')).toBe(true);
    expect(asksForResults('who wrote it?')).toBe(false);
  });

  it('knows a question asking what something is or does, not how well it did', () => {
    for (const q of ['What does MIGU do?', 'what is RWKU', 'whats LoRA dropout', 'how does lexical unit decoding work?', 'explain RAG']) expect(asksWhatItIs(q), q).toBe(true);
    for (const q of [
      'how much does MIGU improve accuracy?',
      'which papers study unlearning?',
      'why do LLMs forget?',
      'what about its results?',
      'what is catastrophic forgetting?',
    ]) {
      expect(asksWhatItIs(q), q).toBe(false);
    }
  });
});
