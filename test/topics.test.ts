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

  it("orders each topic's papers by centrality, most central first", () => {
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

  describe('label phrases', () => {
    const paper = (id: string, title: string, abstract: string) => ({ id, title, abstract, titleDerived: false, url: '', urlIsDirect: false, sources: [] });
    const link = ' Our code is available at https://github.com/example/repo.';
    // Two papers repeat a pet term many times; every paper uses "model merging".
    const pet = ' Weight interpolation beats weight interpolation, as weight interpolation shows.'.repeat(3);
    const merging = [
      paper('m1', 'Weight Interpolation for Sparse Experts', 'A study of model merging.' + pet + link),
      paper('m2', 'Weight Interpolation Revisited', 'Model merging combines experts.' + pet + link),
      paper('m3', 'Merging Models without Data', 'A data-free approach to model merging of experts.' + link),
      paper('m4', 'Model Merging at Scale', 'We scale model merging to many tasks.' + link),
      paper('m5', 'Model Merging of Experts', 'Model merging of fine-tuned experts.' + link),
    ];
    const rag = [
      paper('r1', 'Retrieval Augmented Generation (RAG) for Question Answering', 'Retrieval Augmented Generation (RAG) retrieves passages. RAG grounds the answer.'),
      paper('r2', 'Long-Context Models Meet RAG', 'We compare long context with retrieval augmented generation. RAG helps prediction.'),
      paper('r3', 'Corrective RAG', 'Retrieval augmented generation (RAG) can retrieve irrelevant documents; we correct them.'),
      paper('r4', 'Benchmarking Retrieval-Augmented Generation', 'A benchmark of retrieval-augmented generation pipelines with noisy documents.'),
    ];
    const sql = [
      paper('s1', 'LoRA Adapters for Text-to-SQL', 'We fine-tune with LoRA for text-to-SQL parsing over databases.'),
      paper('s2', 'Text-to-SQL with Small Models', 'Text-to-SQL maps questions to SQL queries; LoRA keeps training cheap.'),
      paper('s3', 'Schema Linking for Text-to-SQL', 'Schema linking improves text-to-SQL on large databases with LoRA.'),
    ];
    // "updates" and "prediction" are in every paper, even every title, yet name nothing.
    const forgetting = [
      paper('f1', 'Scaling Laws Predict Forgetting Updates', 'We fit scaling laws to the prediction of catastrophic forgetting and its updates.'),
      paper('f2', 'Scaling Laws of Continual Learning Updates', 'Continual learning updates suffer catastrophic forgetting; scaling laws give a prediction.'),
      paper('f3', 'Forgetting Updates Predicted by Scaling Laws', 'Catastrophic forgetting follows scaling laws; prediction of updates.'),
      paper('f4', 'Replay Updates against Catastrophic Forgetting', 'Replay buffers reduce catastrophic forgetting across updates, improving prediction.'),
    ];
    const clusters = [merging, rag, sql, forgetting];
    let labels: string[][];
    beforeAll(() => {
      labels = labelClusters(clusters);
    });
    // Words of a phrase, compared without case and with hyphens as spaces.
    const tokens = (phrase: string) =>
      phrase
        .toLowerCase()
        .replace(/[()]/g, ' ')
        .split(/[\s-]+/)
        .filter(Boolean);
    const uses = (p: { title: string; abstract: string }, phrase: string) =>
      ` ${tokens(`${p.title} ${p.abstract}`.replace(/[^\p{L}\p{N}\s-]/gu, ' ')).join(' ')} `.includes(` ${tokens(phrase.replace(/ \(.*\)$/, '')).join(' ')} `);

    it("names a topic by a phrase most of its papers use, not by one paper's repeated term", () => {
      expect(labels[0][0]).toBe('model merging');
      clusters.forEach((papers, c) => {
        const share = papers.filter((p) => uses(p, labels[c][0])).length / papers.length;
        expect(share, labels[c][0]).toBeGreaterThanOrEqual(0.75);
      });
    });

    it('never leads with a vague word, even one in every title', () => {
      expect(labels[3].slice(0, 2).sort()).toEqual(['catastrophic forgetting', 'scaling laws']);
      for (const phrases of labels) for (const phrase of phrases.slice(0, 2)) expect(tokens(phrase)).not.toContain('updates');
    });

    it('never shows a fragment of another key phrase, nor a phrase across punctuation', () => {
      expect(labels[1][0]).toBe('retrieval augmented generation (RAG)');
      for (const phrases of labels) {
        expect(phrases.map((p) => p.toLowerCase())).not.toContain('generation rag');
        for (const a of phrases) for (const b of phrases) if (a !== b) expect(` ${tokens(b).join(' ')} `.includes(` ${tokens(a).join(' ')} `), `"${a}" inside "${b}"`).toBe(false);
      }
    });

    it('shows acronyms and hyphenated terms as the authors write them', () => {
      expect(labels[2].slice(0, 2)).toEqual(['text-to-SQL', 'LoRA']);
      expect(labels[1][0]).toContain('(RAG)');
      // Title case is not kept: "Scaling Laws" in titles, "scaling laws" in the label.
      expect(labels[3]).toContain('scaling laws');
    });

    it('ignores release notices ("Our code is available at https://github.com/...")', () => {
      for (const phrase of labels[0]) expect(phrase).not.toMatch(/code|github|available|example|repo/i);
    });
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
