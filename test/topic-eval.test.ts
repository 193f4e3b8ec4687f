import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, evaluateTopics, normalizedMutualInformation } from '../src/measure/topic-eval.js';
import type { Topic } from '../src/browse/types.js';

describe('topic agreement scores', () => {
  it('scores identical partitions 1 whatever the names', () => {
    const a = ['x', 'x', 'y', 'y', 'z'];
    const b = ['1', '1', '2', '2', '3'];
    expect(normalizedMutualInformation(a, b)).toBeCloseTo(1, 10);
    expect(adjustedRandIndex(a, b)).toBeCloseTo(1, 10);
  });

  it('matches hand-computed values (scikit-learn gives ARI 0.5714 here)', () => {
    const a = ['0', '0', '1', '1'];
    const b = ['0', '0', '1', '2'];
    expect(normalizedMutualInformation(a, b)).toBeCloseTo(0.8, 10);
    expect(adjustedRandIndex(a, b)).toBeCloseTo(4 / 7, 10);
  });

  it('scores a partition unrelated to the truth near 0 ARI', () => {
    const a = Array.from({ length: 400 }, (_, i) => String(i % 4));
    const b = Array.from({ length: 400 }, (_, i) => String(Math.floor(i / 100)));
    expect(adjustedRandIndex(a, b)).toBeLessThan(0.01);
    expect(normalizedMutualInformation(a, b)).toBeLessThan(0.01);
  });

  it('evaluates topics against a human grouping on the papers both cover', () => {
    const topics: Topic[] = [
      {
        id: 1,
        label: 'a',
        keyPhrases: ['a'],
        papers: [
          { paperId: 'p1', centrality: 1 },
          { paperId: 'p2', centrality: 1 },
        ],
      },
      {
        id: 2,
        label: 'b',
        keyPhrases: ['b'],
        papers: [
          { paperId: 'p3', centrality: 1 },
          { paperId: 'p4', centrality: 1 },
        ],
      },
    ];
    const result = evaluateTopics(topics, { p1: 'red', p2: 'red', p3: 'blue', p4: 'blue', p9: 'green' });
    expect(result).toMatchObject({ papers: 4, topics: 2, humanGroups: 2 });
    expect(result.nmi).toBeCloseTo(1, 10);
  });
});
