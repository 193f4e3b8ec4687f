/**
 * Research topics discovered without labels at index time: k-means (ml-kmeans, k-means++ with a
 * fixed seed) on the papers' unit-length vectors, the number of topics chosen by the silhouette
 * score, and each topic named by its most distinctive key phrases (class-based TF-IDF over titles
 * and abstracts, one- and two-word phrases).
 */
import { stemmer } from 'stemmer';
import type { Paper } from '../corpus/paper.js';
import { UserError } from '../errors.js';
import { bestOfKMeans, cosineDistances, type KMeansFit, seededRandom, silhouette, sphericalKMeans, type VectorSet } from './spherical-kmeans.js';
import type { Topic } from './types.js';

export interface TopicOptions {
  /** Smallest and largest number of topics tried; the silhouette score picks one in between. */
  minTopics?: number;
  maxTopics?: number;
  /** Seed for k-means++; the same input and seed give the same topics. */
  seed?: number;
  /** k-means restarts per k (different seeds), the lowest-cost run wins; 0 picks by size (8 up to 500 papers, else 3). */
  restarts?: number;
  /** Papers used to choose k (and to seed the final fit) when the collection is larger. */
  sampleSize?: number;
  /** Key phrases kept per topic; the label joins the first `labelPhrases` of them. */
  keyPhrases?: number;
  labelPhrases?: number;
  /** A new cluster whose papers overlap a previous topic at least this much (Jaccard) keeps its id and label. */
  stableOverlap?: number;
  /** Progress lines (k tried, silhouette), for the index build's log. */
  log?: (line: string) => void;
}

export interface BuildTopicsInput {
  papers: Paper[];
  /** Unit-length paper-level vector per paper id. */
  vectors: Map<string, Float32Array>;
  /** The topics of the previous build, so that labels and ids survive a rebuild. */
  previous?: Topic[];
  options?: TopicOptions;
}

const DEFAULTS = {
  minTopics: 6,
  maxTopics: 20,
  seed: 42,
  restarts: 0,
  sampleSize: 1000,
  keyPhrases: 8,
  labelPhrases: 2,
  stableOverlap: 0.6,
} satisfies Omit<Required<TopicOptions>, 'log'>;

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function unit(v: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(v);
  const n = Math.sqrt(dot(out, out));
  if (n > 0) for (let i = 0; i < out.length; i++) out[i] /= n;
  return out;
}

export interface Clustering {
  assignments: Int32Array;
  k: number;
  /** Silhouette of the chosen k on the sample it was chosen on. */
  silhouette: number;
  /** Silhouette per k tried. */
  scores: { k: number; silhouette: number }[];
}

/**
 * Clusters unit vectors, choosing k in [minTopics, maxTopics] by the silhouette score on a fixed
 * random sample (the silhouette costs O(n²), so larger collections choose k on `sampleSize`
 * papers and then fit all of them starting from the sample's centroids). Exposed for the scale bench.
 */
export function clusterVectors(vectors: VectorSet, options: TopicOptions = {}): Clustering {
  const o = { ...DEFAULTS, ...options };
  const { n, dim } = vectors;
  if (n === 0) return { assignments: new Int32Array(0), k: 0, silhouette: 0, scores: [] };
  const maxK = Math.min(o.maxTopics, Math.floor(n / 2));
  const minK = Math.max(2, Math.min(o.minTopics, maxK));
  if (maxK < 2) return { assignments: new Int32Array(n), k: 1, silhouette: 0, scores: [] };

  let sample = vectors;
  if (n > o.sampleSize) {
    const random = seededRandom(o.seed);
    const order = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const picked = order.slice(0, o.sampleSize).sort((a, b) => a - b);
    const data = new Float32Array(picked.length * dim);
    picked.forEach((row, i) => data.set(vectors.data.subarray(row * dim, (row + 1) * dim), i * dim));
    sample = { data, n: picked.length, dim };
  }
  const distances = cosineDistances(sample);
  const scores: { k: number; silhouette: number }[] = [];
  let best: { k: number; score: number; fit: KMeansFit } | undefined;
  for (let k = minK; k <= maxK; k++) {
    const fit = bestOfKMeans(sample, k, o.restarts || (sample.n <= 500 ? 8 : 3), o.seed);
    const score = silhouette(distances, sample.n, fit.assignments, k);
    scores.push({ k, silhouette: score });
    o.log?.(`topics: k=${k} silhouette=${score.toFixed(4)}`);
    if (!best || score > best.score + 1e-9) best = { k, score, fit };
  }
  const chosen = best!;
  if (sample === vectors) return { assignments: chosen.fit.assignments, k: chosen.k, silhouette: chosen.score, scores };
  const fit = sphericalKMeans(vectors, chosen.k, { init: chosen.fit.centroids, maxIterations: 30 });
  return { assignments: fit.assignments, k: chosen.k, silhouette: chosen.score, scores };
}

// ---------------------------------------------------------------------------------------------
// Labels: class-based TF-IDF (BERTopic's c-TF-IDF) over stemmed one- and two-word phrases.

const STOPWORDS = new Set(
  `a about above across after again against all almost along already also although always am among an and another any are
  around as at be because been before being below between both but by can cannot could did do does doing done down during
  each either else etc even ever every few for from further had has have having he her here hers him his how however i if
  in into is it its itself just less let like made make makes many may me might more most much must my neither no nor not
  now of off often on once one only or other others our ours out over own per rather same several she should show shows
  shown since so some such than that the their theirs them then there these they this those though through thus to too
  two three under until up upon us use used uses using very via was we well were what when where whether which while who
  whom whose why will with within without would yet you your e.g i.e et al vs new based also first second`.split(/\s+/),
);

/**
 * Words so common in this field that they name nothing on their own: kept, but weighted down so
 * that "continual learning" outranks "language models".
 */
const GENERIC = new Set(
  `model models language languages large llm llms lm lms paper propose proposed approach approaches method methods work
  result results task tasks performance data dataset datasets training train trained learning learn study studies
  framework experiment experiments experimental show demonstrate novel existing previous recent significant significantly
  various different effective effectively efficient improve improves improved improvement achieve achieves state art
  art-of-the better best high low problem problems important key challenge challenges benchmark benchmarks evaluate
  evaluation analysis use specific general pre-trained pretrained neural network networks deep ai machine
  fine-tuning finetuning fine-tuned capabilities ability abilities human code`.split(/\s+/),
);
/** Weight of a generic word inside a phrase; a phrase made only of generic words gets the product. */
const GENERIC_WEIGHT = 0.25;

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/\$[^$]*\$/g, ' ')
    .replace(/\\[a-z]+\{[^}]*\}/g, ' ')
    .replace(/[^a-z0-9\-\s]/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^-+|-+$/g, ''))
    .filter(Boolean);
}

interface PhraseCounts {
  counts: Map<string, number>;
  /** Surface forms seen per stemmed key, to show the most frequent one. */
  surface: Map<string, Map<string, number>>;
}

function stemOf(word: string): string {
  return word.split('-').map((part) => stemmer(part)).join('-');
}

function countPhrases(text: string, into: PhraseCounts, weight: number): void {
  const tokens = words(text);
  const add = (key: string, form: string) => {
    into.counts.set(key, (into.counts.get(key) ?? 0) + weight);
    const forms = into.surface.get(key) ?? new Map<string, number>();
    forms.set(form, (forms.get(form) ?? 0) + 1);
    into.surface.set(key, forms);
  };
  let previous: { word: string; stem: string } | undefined;
  for (const word of tokens) {
    const keep = word.length > 2 && !STOPWORDS.has(word) && !/^\d+$/.test(word);
    if (!keep) {
      previous = undefined;
      continue;
    }
    const stem = stemOf(word);
    add(stem, word);
    if (previous && previous.stem !== stem) add(`${previous.stem} ${stem}`, `${previous.word} ${word}`);
    previous = { word, stem };
  }
}

function genericWeight(phraseKey: string, surface: string): number {
  let w = 1;
  const forms = surface.split(' ');
  phraseKey.split(' ').forEach((_, i) => {
    if (GENERIC.has(forms[i] ?? '')) w *= GENERIC_WEIGHT;
  });
  return w;
}

function topForm(forms: Map<string, number>): string {
  return [...forms.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
}

/**
 * Key phrases per cluster by c-TF-IDF: a phrase's frequency in the cluster, times
 * log(1 + average cluster size / its frequency over all clusters), generic words weighted down.
 * A phrase must occur in at least two papers of the cluster (one paper's pet term names no topic).
 */
export function labelClusters(clusters: Paper[][], howMany = DEFAULTS.keyPhrases): string[][] {
  const perCluster = clusters.map(() => ({ counts: new Map<string, number>(), surface: new Map<string, Map<string, number>>() }));
  const docFreq = clusters.map(() => new Map<string, number>());
  clusters.forEach((papers, c) => {
    for (const paper of papers) {
      const own: PhraseCounts = { counts: new Map(), surface: perCluster[c].surface };
      // The title says what the paper is about more densely than the abstract does.
      countPhrases(paper.title, own, 3);
      countPhrases(paper.abstract, own, 1);
      for (const [key, n] of own.counts) {
        perCluster[c].counts.set(key, (perCluster[c].counts.get(key) ?? 0) + n);
        docFreq[c].set(key, (docFreq[c].get(key) ?? 0) + 1);
      }
    }
  });
  const total = new Map<string, number>();
  for (const { counts } of perCluster) for (const [key, n] of counts) total.set(key, (total.get(key) ?? 0) + n);
  const clusterWords = perCluster.map(({ counts }) => [...counts.values()].reduce((a, b) => a + b, 0));
  const averageWords = clusterWords.reduce((a, b) => a + b, 0) / Math.max(1, clusters.length);

  return perCluster.map(({ counts, surface }, c) => {
    const minDocs = clusters[c].length >= 4 ? 2 : 1;
    const scored: { key: string; form: string; score: number }[] = [];
    for (const [key, n] of counts) {
      if ((docFreq[c].get(key) ?? 0) < minDocs) continue;
      const form = topForm(surface.get(key)!);
      const tf = n / Math.max(1, clusterWords[c]);
      const idf = Math.log(1 + averageWords / total.get(key)!);
      scored.push({ key, form, score: tf * idf * genericWeight(key, form) });
    }
    scored.sort((a, b) => b.score - a.score || a.key.localeCompare(b.key));
    const chosen: { key: string; form: string }[] = [];
    for (const candidate of scored) {
      if (chosen.length >= howMany) break;
      const parts = candidate.key.split(' ');
      // Skip a word already inside a chosen phrase, and a phrase that only repeats chosen words.
      const redundant = chosen.some((p) => {
        const other = p.key.split(' ');
        if (parts.length === 1) return other.includes(parts[0]);
        if (other.length === 1) return false;
        return parts.every((w) => other.includes(w));
      });
      if (redundant) continue;
      // A two-word phrase swallows a chosen single word it contains: the phrase says more.
      if (parts.length === 2) {
        for (let i = chosen.length - 1; i >= 0; i--) {
          if (chosen[i].key.split(' ').length === 1 && parts.includes(chosen[i].key)) chosen.splice(i, 1);
        }
      }
      chosen.push(candidate);
    }
    return chosen.map((p) => p.form);
  });
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter || 1);
}

/**
 * Clusters the papers into topics, each named by its key phrases and listing its papers most
 * central first. Deterministic for the same papers, vectors and options. With `previous`, a
 * cluster that overlaps a previous topic by Jaccard >= `stableOverlap` keeps that topic's id and
 * label, so names do not churn when a rebuild barely changes the clusters.
 */
export function buildTopics(input: BuildTopicsInput): Topic[] {
  const o = { ...DEFAULTS, ...input.options };
  const papers = [...input.papers].sort((a, b) => a.id.localeCompare(b.id));
  const missing = papers.filter((p) => !input.vectors.has(p.id));
  if (missing.length) throw new Error(`buildTopics: no vector for ${missing.length} paper(s), e.g. "${missing[0].title}"`);
  if (papers.length === 0) return [];
  const vectors = papers.map((p) => unit(input.vectors.get(p.id)!));
  const dim = vectors[0].length;
  const flat = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => flat.set(v, i * dim));
  const { assignments, k } = clusterVectors({ data: flat, n: vectors.length, dim }, o);

  const members: number[][] = Array.from({ length: k }, () => []);
  assignments.forEach((c, i) => members[c].push(i));
  const nonEmpty = members.filter((m) => m.length > 0);
  const centroids = nonEmpty.map((m) => {
    const sum = new Float32Array(vectors[0].length);
    for (const i of m) for (let d = 0; d < sum.length; d++) sum[d] += vectors[i][d];
    return unit(sum);
  });
  const clusters = nonEmpty.map((m, c) =>
    m
      .map((i) => ({ paperId: papers[i].id, centrality: Number(dot(vectors[i], centroids[c]).toFixed(4)) }))
      .sort((a, b) => b.centrality - a.centrality || a.paperId.localeCompare(b.paperId)),
  );
  // Largest topics first, so ids read as a rough order of importance.
  const order = [...clusters.keys()].sort((a, b) => clusters[b].length - clusters[a].length || clusters[a][0].paperId.localeCompare(clusters[b][0].paperId));
  const byId = new Map(papers.map((p) => [p.id, p]));
  const phrases = labelClusters(
    order.map((c) => clusters[c].map((m) => byId.get(m.paperId)!)),
    o.keyPhrases,
  );

  const fresh = order.map((c, i) => ({
    papers: clusters[c],
    keyPhrases: phrases[i],
    label: phrases[i].slice(0, o.labelPhrases).join(' · ') || `topic ${i + 1}`,
  }));
  return assignIds(fresh, input.previous ?? [], o.stableOverlap);
}

function assignIds(fresh: Omit<Topic, 'id'>[], previous: Topic[], threshold: number): Topic[] {
  const previousSets = previous.map((t) => new Set(t.papers.map((p) => p.paperId)));
  const pairs: { i: number; j: number; overlap: number }[] = [];
  fresh.forEach((t, i) => {
    const set = new Set(t.papers.map((p) => p.paperId));
    previousSets.forEach((prev, j) => {
      const overlap = jaccard(set, prev);
      if (overlap >= threshold) pairs.push({ i, j, overlap });
    });
  });
  pairs.sort((a, b) => b.overlap - a.overlap || a.i - b.i || a.j - b.j);
  const kept = new Map<number, Topic>();
  const usedPrevious = new Set<number>();
  for (const { i, j } of pairs) {
    if (kept.has(i) || usedPrevious.has(j)) continue;
    kept.set(i, previous[j]);
    usedPrevious.add(j);
  }
  const takenIds = new Set([...kept.values()].map((t) => t.id));
  let nextId = 1;
  const nextFree = () => {
    while (takenIds.has(nextId) || previous.some((t) => t.id === nextId)) nextId++;
    takenIds.add(nextId);
    return nextId;
  };
  return fresh.map((t, i) => {
    const old = kept.get(i);
    return old ? { ...t, id: old.id, label: old.label, keyPhrases: old.keyPhrases } : { ...t, id: nextFree() };
  });
}

/** The topic a paper belongs to. */
export function topicOfPaper(topics: Topic[], paperId: string): Topic | undefined {
  return topics.find((t) => t.papers.some((p) => p.paperId === paperId));
}

/**
 * A topic by id ("3", "#3") or by words of its label or key phrases, best match first; throws
 * `UserError` listing a few topics when none matches.
 */
export function findTopic(topics: Topic[], query: string): Topic {
  const q = query.trim();
  if (!q) throw new UserError(`Give a topic id or words from its label. ${topicHint(topics)}`);
  const asId = /^#?(\d+)$/.exec(q);
  if (asId) {
    const byId = topics.find((t) => t.id === Number(asId[1]));
    if (byId) return byId;
    throw new UserError(`No topic #${asId[1]}. ${topicHint(topics)}`);
  }
  const queryStems = words(q).filter((w) => !STOPWORDS.has(w)).map(stemOf);
  if (!queryStems.length) throw new UserError(`No topic matches "${q}". ${topicHint(topics)}`);
  let best: { topic: Topic; score: number } | undefined;
  for (const topic of topics) {
    const labelStems = new Set(words(topic.label).map(stemOf));
    const phraseStems = new Set(words(topic.keyPhrases.join(' ')).map(stemOf));
    let score = 0;
    for (const s of queryStems) score += labelStems.has(s) ? 2 : phraseStems.has(s) ? 1 : 0;
    if (score > 0 && (!best || score > best.score)) best = { topic, score };
  }
  if (!best) throw new UserError(`No topic matches "${q}". ${topicHint(topics)}`);
  return best.topic;
}

function topicHint(topics: Topic[]): string {
  if (!topics.length) return 'The index has no topics yet (rebuild it with: npm run index).';
  const shown = topics.slice(0, 5).map((t) => `#${t.id} ${t.label}`);
  return `Topics include: ${shown.join('; ')}${topics.length > 5 ? `; ... (${topics.length} in all, see npm run topics)` : ''}.`;
}
