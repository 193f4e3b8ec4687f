import { beforeAll, describe, expect, it } from 'vitest';
import { buildTopics, clusterVectors, findTopic, labelClusters, tfidfRows, topicOfPaper } from '../src/browse/topics.js';
import { cutMerges, sparseLatentCoordinates, wardMerges } from '../src/browse/spherical-kmeans.js';
import { syntheticVectors } from '../src/measure/scale-bench.js';
import { normalizedMutualInformation } from '../src/measure/topic-eval.js';
import type { Topic } from '../src/browse/types.js';
import { UserError } from '../src/errors.js';
import type { LitIndex } from '../src/indexing/load-index.js';
import { createTestLitbot } from './helpers/test-litbot.js';

describe('topics of the seed papers', () => {
  let index: LitIndex;
  let topics: Topic[];
  beforeAll(async () => {
    ({ index } = await createTestLitbot());
    topics = buildTopics({ papers: index.papers, vectors: index.paperVectors });
  });

  it('puts every paper in exactly one topic', () => {
    const seen = topics.flatMap((t) => t.papers.map((p) => p.paperId));
    expect(seen).toHaveLength(index.papers.length);
    expect(new Set(seen)).toEqual(new Set(index.papers.map((p) => p.id)));
  });

  it('chooses the number of topics within 6..20 and names each with key phrases', () => {
    expect(topics.length).toBeGreaterThanOrEqual(6);
    expect(topics.length).toBeLessThanOrEqual(20);
    for (const t of topics) {
      expect(t.label.trim()).not.toBe('');
      expect(t.keyPhrases.length).toBeGreaterThan(0);
      expect(t.label).toBe(t.keyPhrases.slice(0, 2).join(' · '));
    }
    expect(new Set(topics.map((t) => t.id)).size).toBe(topics.length);
  });

  it('orders each topic\'s papers by centrality, most central first', () => {
    for (const t of topics) for (let i = 1; i < t.papers.length; i++) expect(t.papers[i - 1].centrality).toBeGreaterThanOrEqual(t.papers[i].centrality);
  });

  it('gives the same topics on a second run', () => {
    expect(buildTopics({ papers: index.papers, vectors: index.paperVectors })).toEqual(topics);
  });

  it('keeps ids and labels across a rebuild, even a label edited by hand', () => {
    const edited = topics.map((t, i) => (i === 0 ? { ...t, label: 'hand-named topic', id: 99 } : t));
    const rebuilt = buildTopics({ papers: index.papers, vectors: index.paperVectors, previous: edited });
    expect(rebuilt.map((t) => t.papers)).toEqual(topics.map((t) => t.papers));
    expect(rebuilt[0].label).toBe('hand-named topic');
    expect(rebuilt[0].id).toBe(99);
    expect(rebuilt.slice(1).map((t) => [t.id, t.label])).toEqual(topics.slice(1).map((t) => [t.id, t.label]));
  });

  it('keeps most topics when a few papers leave the collection', () => {
    const fewer = index.papers.slice(5);
    const rebuilt = buildTopics({ papers: fewer, vectors: index.paperVectors, previous: topics });
    expect(rebuilt.flatMap((t) => t.papers)).toHaveLength(fewer.length);
    const kept = rebuilt.filter((t) => topics.some((old) => old.id === t.id && old.label === t.label));
    expect(kept.length).toBeGreaterThanOrEqual(Math.floor(topics.length / 2));
  });

  it('finds a topic by id or label words, and lists topics when none matches', () => {
    const t = topics[2];
    expect(findTopic(topics, String(t.id))).toBe(t);
    expect(findTopic(topics, `#${t.id}`)).toBe(t);
    expect(findTopic(topics, t.keyPhrases[0])).toBe(t);
    expect(() => findTopic(topics, 'xyzzy plugh')).toThrow(UserError);
    expect(() => findTopic(topics, 'xyzzy plugh')).toThrow(/Topics include: #/);
    expect(() => findTopic(topics, '999')).toThrow(/No topic #999/);
  });

  it('tells which topic a paper belongs to', () => {
    const paperId = topics[1].papers[0].paperId;
    expect(topicOfPaper(topics, paperId)?.id).toBe(topics[1].id);
    expect(topicOfPaper(topics, 'nope')).toBeUndefined();
  });
});

describe('clustering and labels', () => {
  it('recovers well separated blobs and their number', () => {
    const x = syntheticVectors(1500, { dim: 64, clusters: 8, noise: 0.8, seed: 3 });
    const result = clusterVectors(x, { minTopics: 4, maxTopics: 12 });
    expect(result.k).toBe(8);
    expect(normalizedMutualInformation(Array.from(result.assignments, String), Array.from(x.labels, String))).toBeGreaterThan(0.95);
  });

  it('labels a cluster by the phrases that set it apart, preferring two-word phrases', () => {
    const paper = (id: string, title: string, abstract: string) => ({ id, title, abstract, titleDerived: false, url: '', urlIsDirect: false, sources: [] });
    const labels = labelClusters([
      [
        paper('a', 'Continual learning without catastrophic forgetting', 'We study continual learning of language models and catastrophic forgetting.'),
        paper('b', 'Catastrophic forgetting in continual learning', 'A model for continual learning that limits catastrophic forgetting.'),
      ],
      [
        paper('c', 'Machine unlearning for language models', 'We propose a method for machine unlearning of private data.'),
        paper('d', 'Efficient machine unlearning', 'Machine unlearning removes the influence of training data from a model.'),
      ],
    ]);
    expect(labels[0].slice(0, 2).sort()).toEqual(['catastrophic forgetting', 'continual learning']);
    expect(labels[1][0]).toBe('machine unlearning');
  });

  it("cuts Ward's hierarchy into the blobs it was built on", () => {
    const x = syntheticVectors(300, { dim: 32, clusters: 5, noise: 0.5, seed: 5 });
    const merges = wardMerges(x);
    expect(merges).toHaveLength(299);
    for (let i = 1; i < merges.length; i++) expect(merges[i].height).toBeGreaterThanOrEqual(merges[i - 1].height);
    const labels = cutMerges(merges, x.n, 5);
    expect(new Set(labels).size).toBe(5);
    expect(normalizedMutualInformation(Array.from(labels, String), Array.from(x.labels, String))).toBeGreaterThan(0.95);
    expect(new Set(cutMerges(merges, x.n, 1)).size).toBe(1);
  });

  it('reduces TF-IDF rows without changing their cosines when the papers are few', () => {
    const paper = (id: string, title: string, abstract: string) => ({ id, title, abstract, titleDerived: false, url: '', urlIsDirect: false, sources: [] });
    const papers = [
      paper('a', 'Machine unlearning at scale', 'Unlearning removes training data; machine unlearning for language models.'),
      paper('b', 'Certified machine unlearning', 'Machine unlearning with guarantees on removed data.'),
      paper('c', 'Continual learning and forgetting', 'Catastrophic forgetting in continual learning of language models.'),
      paper('d', 'Forgetting in continual learning', 'Continual learning without catastrophic forgetting.'),
      paper('e', 'Retrieval augmented generation', 'Retrieval of passages for generation with language models.'),
      paper('f', 'Dense retrieval for generation', 'Dense retrieval improves retrieval augmented generation.'),
    ];
    const rows = tfidfRows(papers);
    const dense = (i: number) => {
      const v = new Float64Array(rows.dim);
      for (let p = rows.rowStart[i]; p < rows.rowStart[i + 1]; p++) v[rows.columns[p]] = rows.values[p];
      return v;
    };
    const reduced = sparseLatentCoordinates(rows, 256);
    expect(reduced.dim).toBeLessThanOrEqual(papers.length);
    for (let i = 0; i < papers.length; i++) {
      for (let j = 0; j < papers.length; j++) {
        const a = dense(i);
        const b = dense(j);
        const exact = a.reduce((s, x, d) => s + x * b[d], 0);
        let latent = 0;
        for (let d = 0; d < reduced.dim; d++) latent += reduced.data[i * reduced.dim + d] * reduced.data[j * reduced.dim + d];
        expect(latent).toBeCloseTo(exact, 4);
      }
    }
  });
});

