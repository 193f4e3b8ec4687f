/**
 * Research topics discovered without labels at index time. Papers are represented by their
 * centred embedding beside their TF-IDF vector over stemmed words and word pairs (`topicFeatures`,
 * latent semantic analysis keeps it dense and small), projected onto 20 latent directions, and
 * clustered by spherical k-means started from Ward's hierarchical clustering; the number of
 * topics is the k in 6..20 with the best silhouette. Each topic is named by the terms most of its
 * papers use (in titles especially) and few other topics do (`labelClusters`).
 */
import { stemmer } from 'stemmer';
import type { Paper } from '../corpus/paper.js';
import { UserError } from '../errors.js';
import {
  centroidsOf,
  cosineDistances,
  cutMerges,
  type KMeansFit,
  principalDirections,
  project,
  seededRandom,
  silhouette,
  type SparseRows,
  sparseLatentCoordinates,
  sphericalKMeans,
  type VectorSet,
  wardMerges,
} from './spherical-kmeans.js';
import type { Topic } from './types.js';

export interface TopicOptions {
  /** Smallest and largest number of topics tried; the silhouette score picks one in between. */
  minTopics?: number;
  maxTopics?: number;
  /** Seed for the samples and the randomized SVD; the same input and seed give the same topics. */
  seed?: number;
  /** Papers used to choose k (and to seed the final fit) when the collection is larger. */
  sampleSize?: number;
  /** Latent dimensions the papers are projected to before clustering (0 keeps the full vectors). */
  latentDimensions?: number;
  /** Share of the clustering features taken from the embeddings; the rest is TF-IDF over titles and abstracts. */
  embeddingWeight?: number;
  /** Key phrases kept per topic; the label joins the first `labelPhrases` of them. */
  keyPhrases?: number;
  labelPhrases?: number;
  /** A new cluster whose papers overlap a previous topic at least this much (Jaccard) keeps its id and label. */
  stableOverlap?: number;
  /** Progress lines (the k chosen and its silhouette), for the index build's log. */
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
  sampleSize: 1000,
  latentDimensions: 20,
  embeddingWeight: 0.15,
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
  /** The vectors as clustered (projected to the latent dimensions), for centrality. */
  space: VectorSet;
}

/** `size` row numbers out of n, a fixed pseudo-random choice for a seed, in increasing order. */
function sampleIndices(n: number, size: number, seed: number): number[] {
  if (n <= size) return [...Array(n).keys()];
  const random = seededRandom(seed);
  const order = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, size).sort((a, b) => a - b);
}

function sampleRows(vectors: VectorSet, size: number, seed: number): { sample: VectorSet; rows: number[] } {
  const { n, dim } = vectors;
  if (n <= size) return { sample: vectors, rows: [...Array(n).keys()] };
  const rows = sampleIndices(n, size, seed);
  const data = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => data.set(vectors.data.subarray(row * dim, (row + 1) * dim), i * dim));
  return { sample: { data, n: rows.length, dim }, rows };
}

/**
 * Clusters unit vectors. They are first projected onto the sample's top `latentDimensions`
 * principal directions (LSA: denoises, and makes every later step cheap). On a fixed random
 * sample of `sampleSize` (Ward's clustering and the silhouette cost O(n²)), Ward's hierarchy
 * gives a partition for every k in [minTopics, maxTopics], spherical k-means refines each, and
 * the silhouette picks k; then all vectors are fitted starting from the sample's centroids.
 * With `previous` (each vector's earlier cluster, or -1 for new ones), a fit started from the
 * earlier clusters is kept unless a fresh one is clearly better (silhouette 10% higher), so a
 * rebuild after a small change keeps its topics. Exposed for the scale bench.
 */
export function clusterVectors(vectors: VectorSet, options: TopicOptions = {}, previous?: Int32Array): Clustering {
  const o = { ...DEFAULTS, ...options };
  const { n } = vectors;
  if (n === 0) return { assignments: new Int32Array(0), k: 0, silhouette: 0, scores: [], space: vectors };
  const maxK = Math.min(o.maxTopics, Math.floor(n / 2));
  const minK = Math.max(2, Math.min(o.minTopics, maxK));
  if (maxK < 2) return { assignments: new Int32Array(n), k: 1, silhouette: 0, scores: [], space: vectors };

  const { sample: rawSample, rows } = sampleRows(vectors, o.sampleSize, o.seed);
  const latent = o.latentDimensions > 0 && o.latentDimensions < vectors.dim;
  const directions = latent ? principalDirections(rawSample, o.latentDimensions, o.seed) : undefined;
  const space = directions ? project(vectors, directions) : vectors;
  const sample = rawSample === vectors ? space : directions ? project(rawSample, directions) : rawSample;

  const distances = cosineDistances(sample);
  // Ward's hierarchy of the sample gives, for every k at once, a partition that k-means then
  // refines: a deterministic start that reaches tighter clusters than k-means++ restarts.
  const merges = wardMerges(sample);
  const scores: { k: number; silhouette: number }[] = [];
  let best: { k: number; score: number; fit: KMeansFit } | undefined;
  for (let k = minK; k <= maxK; k++) {
    const fit = sphericalKMeans(sample, k, { init: centroidsOf(sample, cutMerges(merges, sample.n, k), k), maxIterations: 50 });
    const score = silhouette(distances, sample.n, fit.assignments, k);
    scores.push({ k, silhouette: score });
    if (!best || score > best.score + 1e-9) best = { k, score, fit };
  }
  const chosen = best!;
  o.log?.(`Topics: k=${chosen.k} chosen by silhouette (${chosen.score.toFixed(3)}; tried ${minK}..${maxK} on ${sample.n} papers).`);
  const fresh = sample === space ? chosen.fit : sphericalKMeans(space, chosen.k, { init: chosen.fit.centroids, maxIterations: 50 });

  if (previous) {
    const k = Math.max(...previous) + 1;
    if (k >= 2 && k <= n) {
      const warm = sphericalKMeans(space, k, { init: centroidsOf(space, previous, k), maxIterations: 50 });
      const sampleLabels = Int32Array.from(rows, (r) => warm.assignments[r]);
      const score = silhouette(distances, sample.n, sampleLabels, k);
      const keep = score >= chosen.score * 0.9;
      o.log?.(`Topics: the previous ${k} topics refitted score ${score.toFixed(3)}: ${keep ? 'kept' : 'replaced by the fresh fit'}.`);
      if (keep) return { assignments: warm.assignments, k, silhouette: score, scores, space };
    }
  }
  return { assignments: fresh.assignments, k: chosen.k, silhouette: chosen.score, scores, space };
}

// ---------------------------------------------------------------------------------------------
// Phrase counting shared by the clustering's TF-IDF (`tfidfRows`); labels have their own below.

const STOPWORDS = new Set(
  `a about above across after again against all almost along already also although always am among an and another any are
  around as at be because been before being below between both but by can cannot could did do does doing done down during
  each either else etc even ever every few for from further had has have having he her here hers him his how however i if
  in into is it its itself just less let like made make makes many may me might more most much must my neither no nor not
  now of off often on once one only or other others our ours out over own per rather same several she should show shows
  shown since so some such than that the their theirs them then there these they this those though through thus to too
  two three under until up upon us use used uses using very via was we well were what when where whether which while who
  whom whose why will with within without would yet you your e.g i.e et al vs new based also first second github com
  http https www code available`.split(/\s+/),
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
  better best high low problem problems important key challenge challenges benchmark benchmarks evaluate evaluation
  analysis use specific general pre-trained pretrained neural network networks deep ai machine fine-tuning finetuning
  fine-tuned capabilities capability ability abilities human code find finds found explore explores exploring point points
  set sets open small effectiveness field fields extract adapt scale target strategy strategies system systems query queries
  text natural space amount amounts type types level levels way ways number numbers provide provides lack remain remains
  understanding understand address addresses limited focus focuses new well across compared comparison widely often
  generalization downstream setting settings process aims aim enable enables recently quality findings reveal
  simple techniques technique applications application solution require requires mitigate enhance choice choices
  introduce introduces potential issue issues explored properties insights big correct multiple input inputs tailored
  challenging principles build building features scales examples utility unveil unveils unveiling unlock unlocking
  towards toward revisiting rethinking harnessing empowering boosting pushing frontiers secret closer look lessons`.split(/\s+/),
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

function stemOf(word: string): string {
  return word
    .split('-')
    .map((part) => stemmer(part))
    .join('-');
}

/** Adds `weight` per occurrence of each stemmed word and word pair of `text` to `counts`. */
function countPhrases(text: string, counts: Map<string, number>, weight: number): void {
  const tokens = words(text);
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + weight);
  let previous: string | undefined;
  for (const word of tokens) {
    const keep = word.length > 2 && !STOPWORDS.has(word) && !/^\d+$/.test(word);
    if (!keep) {
      previous = undefined;
      continue;
    }
    const stem = stemOf(word);
    add(stem);
    if (previous && previous !== stem) add(`${previous} ${stem}`);
    previous = stem;
  }
}

// The labels read their own phrases (`labelPhrases`), not the clustering's (`countPhrases`), so
// that changing how topics are named never changes which papers they hold.

/**
 * Stop words for labels: the clustering's, plus common verbs and adverbs that start no term
 * ("get", "sometimes"), but not "code", which names topics ("code generation"; the clustering
 * drops it for "code is available at", and labels drop such sentences).
 */
const LABEL_STOPWORDS = new Set([
  ...[...STOPWORDS].filter((w) => w !== 'code'),
  ...`get gets got getting give gives giving given go goes going take takes taking taken keep keeps put see seen seem
  seems become becomes became behind beside besides outside inside toward onto near whereas thereby hence therefore
  moreover furthermore indeed instead namely nevertheless nonetheless still sometimes usually typically largely mostly
  mainly particularly especially specifically respectively directly including include includes included suggesting
  suggest suggests observe observed observes conduct conducted leads lead due additionally finally overall`.split(/\s+/),
]);
/**
 * Words too common or too vague to name a topic, for labels only: GENERIC, plus verbs,
 * adjectives and nouns that say nothing on their own ("prediction", "updates", "visual").
 */
const LABEL_GENERIC = new Set([
  ...[...GENERIC].filter((w) => w !== 'code'),
  ...`prediction predictions update updates word words initialize visual class classes domain domains representation
  representations real-world outperforms demonstrated following diverse generation inference mechanism mechanisms
  algorithm algorithms`.split(/\s+/),
]);
const LABEL_GENERIC_STEMS = new Set([...LABEL_GENERIC].map(stemOf));
/**
 * Weight of a generic word in a label phrase that also has a specific one: milder than for
 * clustering, since such a phrase is often the established term ("machine unlearning",
 * "membership inference"); phrases of generic words only are never labels.
 */
const LABEL_GENERIC_WEIGHT = 0.5;

interface PaperPhrases {
  /** Phrase key (stems with spaces and hyphens removed, so "pre-training" = "pretraining") → whether a title uses it. */
  keys: Map<string, { title: boolean }>;
}

interface PhraseInfo {
  /** Stems of the phrase's words, the parts of a hyphenated word counted separately. */
  stems: string[];
  /** Word count as usually written ("text-to-SQL" is one word, "prompt tuning" two). */
  words: number;
  /** Surface forms as written, for display. */
  forms: Map<string, number>;
}

/** How a token is shown: capitalised words lower-cased ("Tuning" → "tuning"), acronyms kept ("RAG", "LoRA", "text-to-SQL"). */
function displayForm(token: string): string {
  return token
    .split('-')
    .map((part) => (/^\p{Lu}\p{Ll}*$/u.test(part) ? part.toLowerCase() : part))
    .join('-');
}

const LONGEST_PHRASE = 3;
/** A sentence that gives links or says what is released ("Our code is available at") says nothing about the topic. */
const BOILERPLATE = /https?:|www\.|github|\b(available|release[sd]?|open-sourced?)\b/i;

/**
 * The one- to three-word phrases of a text, for labels: runs of words that are not stop words,
 * never across punctuation (so "Augmented Generation (RAG)" gives no "generation RAG").
 */
function labelPhrases(text: string, title: boolean, into: PaperPhrases, info: Map<string, PhraseInfo>): void {
  const cleaned = text
    .replace(/\$[^$]*\$/g, ' . ')
    .replace(/\\[a-z]+\{[^}]*\}/g, ' . ')
    .split(/(?<=[.!?])\s+/)
    .filter((sentence) => !BOILERPLATE.test(sentence))
    .join(' . ');
  // Segments between punctuation; a phrase never spans two.
  for (const segment of cleaned.split(/[.,;:!?()[\]{}"“”‘’/|…]+|\s[-–—]+\s|'s\b|’s\b/u)) {
    const tokens = segment
      .split(/\s+/)
      .map((t) => t.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
      .filter(Boolean);
    let run: { form: string; stem: string }[] = [];
    const flush = () => {
      for (let i = 0; i < run.length; i++) {
        for (let n = 1; n <= LONGEST_PHRASE && i + n <= run.length; n++) {
          const part = run.slice(i, i + n);
          if (n > 1 && new Set(part.map((w) => w.stem)).size < n) continue;
          const stems = part.flatMap((w) => w.stem.split('-'));
          const key = stems.join('');
          const form = part.map((w) => w.form).join(' ');
          const seen = into.keys.get(key) ?? { title: false };
          seen.title ||= title;
          into.keys.set(key, seen);
          const entry = info.get(key) ?? { stems, words: n, forms: new Map<string, number>() };
          // The hyphenated form counts as one word ("pre-training" is not a two-word phrase).
          entry.words = Math.max(entry.words, n);
          entry.forms.set(form, (entry.forms.get(form) ?? 0) + 1);
          info.set(key, entry);
        }
      }
      run = [];
    };
    for (const token of tokens) {
      const lower = token.toLowerCase();
      // Numbers and sizes ("19x", "7B", "100k") name nothing.
      const keep = lower.length > 2 && !LABEL_STOPWORDS.has(lower) && !/^[\d.,-]+[xkmb%]?$/.test(lower) && /^[\p{L}\p{N}-]+$/u.test(lower);
      if (!keep) {
        flush();
        continue;
      }
      run.push({ form: displayForm(token), stem: stemOf(lower) });
    }
    flush();
  }
}

function topForm(forms: Map<string, number>): string {
  return [...forms.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
}

interface Candidate {
  key: string;
  stems: string[];
  /** How the phrase is shown: its most frequent surface form. */
  form: string;
  /** Papers of the topic using it. */
  docs: number;
  /** Papers of the topic using it plus those using it in their title. */
  uses: number;
  /** Papers of the topic using it in their title. */
  titles: number;
  score: number;
}

/** Whether a word is an acronym of a phrase: "RAG" of "retrieval-augmented generation", "CoT" of "chain-of-thought". */
function isAcronymOf(word: string, phrase: string): boolean {
  if (!/^[A-Z][A-Za-z]*[A-Z]s?$/.test(word) || word.length > 8) return false;
  const initials = phrase
    .split(/[ -]+/)
    .map((w) => w[0])
    .join('');
  return initials.length >= 2 && initials.toLowerCase() === word.replace(/s$/, '').toLowerCase();
}

/** Stems of one word: equal, or one the start of the other ("math", "mathemat"). */
function sameWord(a: string, b: string): boolean {
  return a === b || (Math.min(a.length, b.length) >= 4 && (a.startsWith(b) || b.startsWith(a)));
}

/** Whether `inner`'s stems occur, in order and contiguous, inside `outer`'s. */
function isFragment(inner: string[], outer: string[]): boolean {
  if (inner.length >= outer.length) return false;
  for (let i = 0; i + inner.length <= outer.length; i++) if (inner.every((s, j) => outer[i + j] === s)) return true;
  return false;
}

/**
 * Key phrases per cluster. A phrase scores by the share of the cluster's papers using it (a use in
 * the title counts twice: titles say what a paper is about) times the square root of the share of
 * its uses that are in this cluster rather than others; recurring multi-word terms are preferred,
 * single words need titles, vague words are weighted down. A phrase must occur in at least two
 * papers of a cluster of three or more (one paper's pet term names no topic). Fragments of a
 * chosen phrase ("augmented generation" of "retrieval augmented generation") and phrases
 * repeating a chosen word are skipped; an acronym is shown beside its expansion.
 */
export function labelClusters(clusters: Paper[][], howMany = DEFAULTS.keyPhrases): string[][] {
  const info = new Map<string, PhraseInfo>();
  const perCluster = clusters.map((papers) =>
    papers.map((paper) => {
      const own: PaperPhrases = { keys: new Map() };
      labelPhrases(paper.title, true, own, info);
      labelPhrases(paper.abstract, false, own, info);
      return own;
    }),
  );
  // Uses per phrase: papers using it plus papers using it in their title, per cluster and overall.
  const uses = perCluster.map((papers) => {
    const u = new Map<string, { docs: number; titles: number }>();
    for (const { keys } of papers)
      for (const [key, { title }] of keys) {
        const x = u.get(key) ?? { docs: 0, titles: 0 };
        x.docs++;
        if (title) x.titles++;
        u.set(key, x);
      }
    return u;
  });
  const totalUses = new Map<string, number>();
  for (const u of uses) for (const [key, { docs, titles }] of u) totalUses.set(key, (totalUses.get(key) ?? 0) + docs + titles);

  return clusters.map((papers, c) => {
    const n = papers.length;
    const minDocs = n >= 3 ? 2 : 1;
    const scored: Candidate[] = [];
    for (const [key, { docs, titles }] of uses[c]) {
      if (docs < minDocs) continue;
      const { stems, words: wordCount, forms } = info.get(key)!;
      const form = topForm(forms);
      const formWords = form.toLowerCase().split(' ');
      const generic = formWords.filter((w) => LABEL_GENERIC.has(w)).length;
      // A phrase of vague words only ("language models", "prediction") names no topic here.
      if (generic === formWords.length) continue;
      // The share of the topic's papers using the phrase, a use in the title counting twice.
      const coverage = (docs + titles) / (2 * n);
      // The share of the phrase's uses (over all topics) that are in this topic.
      const precision = (docs + titles) / totalUses.get(key)!;
      // Established multi-word terms name a topic better than single words ("scaling laws" vs
      // "scaling"), but only a term that recurs: in a title, or in three papers (not "lag behind").
      // A single word (a hyphenated one too: "state-of-the-art") names a topic only if the titles use it.
      const termBoost = wordCount >= 2 ? (titles >= 1 || docs >= 3 ? 1.5 : 0.75) : titles >= Math.min(2, minDocs) ? 1 : 0.5;
      const score = coverage * Math.sqrt(precision) * LABEL_GENERIC_WEIGHT ** generic * termBoost;
      scored.push({ key, stems, form, docs, titles, uses: docs + titles, score });
    }
    scored.sort((a, b) => b.score - a.score || a.key.localeCompare(b.key));
    // The established term a phrase is part of: the longest phrase containing it that titles use,
    // that two papers use, and that at least half of its uses in the topic belong to
    // ("retrieval-augmented" → "retrieval-augmented generation", "curriculum" → "curriculum
    // learning"), even though it adds a generic word.
    const extend = (p: Candidate): Candidate => {
      let best = p;
      for (const q of scored) {
        if (!isFragment(p.stems, q.stems) || q.titles === 0 || q.docs < Math.min(2, n) || q.uses * 2 < p.uses) continue;
        if (q.stems.length > best.stems.length || (q.stems.length === best.stems.length && q.uses > best.uses)) best = q;
      }
      return best;
    };
    // Sharing a generic word is no repetition ("parameter-efficient tuning", "prompt tuning").
    const sharesWord = (a: Candidate, b: Candidate) => a.stems.some((s) => !LABEL_GENERIC_STEMS.has(s) && b.stems.some((t) => sameWord(s, t)));
    const chosen: Candidate[] = [];
    for (const next of scored.map((p) => ({ ...p }))) {
      if (chosen.length >= howMany) break;
      const candidate = extend(next);
      if (chosen.some((p) => p.key === candidate.key)) continue;
      // An acronym of a chosen phrase is shown beside it: "retrieval-augmented generation (RAG)".
      const expanded = chosen.find((p) => isAcronymOf(candidate.form, p.form));
      if (expanded) {
        if (!expanded.form.includes('(')) expanded.form = `${expanded.form} (${candidate.form})`;
        continue;
      }
      // A longer phrase takes the place of a chosen fragment of it that it scores nearly as well
      // as, if what it adds is specific ("heads" → "attention heads", but not "code" → "source
      // code", nor "resource constraints" → "diverse resource constraints").
      const swallowed = chosen.filter(
        (p) => isFragment(p.stems, candidate.stems) && candidate.score >= p.score / 2 && candidate.stems.every((s) => p.stems.includes(s) || !LABEL_GENERIC_STEMS.has(s)),
      );
      // Otherwise skip a fragment of a chosen phrase, or a phrase sharing a word with one
      // ("instruction-tuned" after "instruction tuning", "math" after "mathematical reasoning"):
      // a label should say two different things.
      if (chosen.some((p) => !swallowed.includes(p) && sharesWord(p, candidate))) continue;
      if (swallowed.length) {
        // Take the place of the phrase it replaces, keeping the label's order of importance.
        chosen.splice(chosen.indexOf(swallowed[0]), 1, candidate);
        for (const p of swallowed.slice(1)) chosen.splice(chosen.indexOf(p), 1);
        continue;
      }
      chosen.push(candidate);
    }
    return chosen.map((p) => p.form);
  });
}

/**
 * Dimensions the TF-IDF part is reduced to (latent semantic analysis). A collection of up to
 * this many papers keeps its exact TF-IDF cosines; a larger one keeps its main latent topics,
 * and memory stays proportional to the papers whatever the vocabulary.
 */
const LEXICAL_DIMENSIONS = 256;
/** At most this many words and word pairs (the most widespread) make the TF-IDF vocabulary. */
const MAX_VOCABULARY = 32_768;
/** Papers the TF-IDF reduction is fitted on when the collection is larger (all are projected). */
const LEXICAL_SAMPLE = 1000;

const GENERIC_STEMS = new Set([...GENERIC].map(stemOf));

/**
 * TF-IDF over each paper's stemmed words and word pairs (the title counts three times):
 * sublinear term frequency, smoothed idf, a vocabulary of the terms found in at least two papers and at most
 * half of them, generic words weighted down; rows of unit length, kept sparse.
 */
export function tfidfRows(papers: Paper[]): SparseRows {
  const n = papers.length;
  const counts = papers.map((p) => {
    const counts = new Map<string, number>();
    countPhrases(p.title, counts, 3);
    countPhrases(p.abstract, counts, 1);
    return counts;
  });
  const df = new Map<string, number>();
  for (const c of counts) for (const key of c.keys()) df.set(key, (df.get(key) ?? 0) + 1);
  // Words in one paper only, or in most of them, separate nothing.
  const vocabulary = [...df.entries()]
    .filter(([, f]) => f >= 2 && f <= n / 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_VOCABULARY)
    .map(([key]) => key);
  const column = new Map(vocabulary.map((key, i) => [key, i]));
  const rowStart = new Int32Array(n + 1);
  const columns: number[] = [];
  const values: number[] = [];
  counts.forEach((c, i) => {
    const row: { col: number; weight: number }[] = [];
    for (const [key, tf] of c) {
      const col = column.get(key);
      if (col === undefined) continue;
      // Smoothed idf (as scikit-learn's): a word in half the papers still counts a little.
      let weight = (1 + Math.log(tf)) * (Math.log((1 + n) / (1 + df.get(key)!)) + 1);
      for (const stem of key.split(' ')) if (GENERIC_STEMS.has(stem)) weight *= GENERIC_WEIGHT;
      row.push({ col, weight });
    }
    row.sort((a, b) => a.col - b.col);
    const norm = Math.sqrt(row.reduce((s, x) => s + x.weight * x.weight, 0)) || 1;
    for (const x of row) {
      columns.push(x.col);
      values.push(x.weight / norm);
    }
    rowStart[i + 1] = columns.length;
  });
  return { rowStart, columns: Int32Array.from(columns), values: Float32Array.from(values), n, dim: Math.max(1, vocabulary.length) };
}

/**
 * What the papers are clustered on: each paper's embedding, centred on the collection's mean
 * (every abstract here is "about language models"; the mean carries no topic), beside its TF-IDF
 * vector (`tfidfRows`) reduced by latent semantic analysis to at most `LEXICAL_DIMENSIONS`
 * (exact cosines for a collection that small). Embeddings alone put papers about the same method
 * in different clusters; measured against the human grouping, the mix scores higher than either
 * part (README, Topics).
 */
export function topicFeatures(papers: Paper[], vectors: Map<string, Float32Array>, embeddingWeight = DEFAULTS.embeddingWeight): VectorSet {
  const n = papers.length;
  const dim = vectors.get(papers[0].id)!.length;
  const mean = new Float64Array(dim);
  const embedded = papers.map((p) => unit(vectors.get(p.id)!));
  for (const v of embedded) for (let d = 0; d < dim; d++) mean[d] += v[d] / n;

  const tfidf = tfidfRows(papers);
  const fitRows = n > LEXICAL_SAMPLE ? sampleIndices(n, LEXICAL_SAMPLE, DEFAULTS.seed) : undefined;
  const lexical = sparseLatentCoordinates(tfidf, LEXICAL_DIMENSIONS, DEFAULTS.seed, fitRows);

  const width = dim + lexical.dim;
  const data = new Float32Array(n * width);
  const we = Math.sqrt(embeddingWeight);
  const wl = Math.sqrt(1 - embeddingWeight);
  papers.forEach((_, i) => {
    const e = unit(embedded[i].map((x, d) => x - mean[d]));
    const o = i * width;
    for (let d = 0; d < dim; d++) data[o + d] = we * e[d];
    for (let d = 0; d < lexical.dim; d++) data[o + dim + d] = wl * lexical.data[i * lexical.dim + d];
  });
  return { data, n, dim: width };
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
  const features = topicFeatures(papers, input.vectors, o.embeddingWeight);
  // Each paper's earlier topic (as a dense index), so a rebuild can start from the earlier topics.
  let previousLabels: Int32Array | undefined;
  if (input.previous?.length) {
    const index = new Map<string, number>();
    input.previous.forEach((t, c) => t.papers.forEach((p) => index.set(p.paperId, c)));
    previousLabels = Int32Array.from(papers, (p) => index.get(p.id) ?? -1);
    // Topics none of whose papers remain cannot seed a cluster: renumber the rest densely.
    const used = [...new Set(previousLabels)].filter((c) => c >= 0).sort((a, b) => a - b);
    const dense = new Map(used.map((c, i) => [c, i]));
    previousLabels = previousLabels.map((c) => (c >= 0 ? dense.get(c)! : -1));
    if (used.length < 2) previousLabels = undefined;
  }
  const { assignments, k, space } = clusterVectors(features, o, previousLabels);

  const members: number[][] = Array.from({ length: k }, () => []);
  assignments.forEach((c, i) => members[c].push(i));
  const nonEmpty = members.filter((m) => m.length > 0);
  const row = (i: number) => space.data.subarray(i * space.dim, (i + 1) * space.dim);
  const clusters = nonEmpty.map((m) => {
    const sum = new Float32Array(space.dim);
    for (const i of m) {
      const v = row(i);
      for (let d = 0; d < sum.length; d++) sum[d] += v[d];
    }
    const centroid = unit(sum);
    return m
      .map((i) => ({ paperId: papers[i].id, centrality: Number(dot(row(i), centroid).toFixed(4)) }))
      .sort((a, b) => b.centrality - a.centrality || a.paperId.localeCompare(b.paperId));
  });
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
  const queryStems = words(q)
    .filter((w) => !STOPWORDS.has(w))
    .map(stemOf);
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
