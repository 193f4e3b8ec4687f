/**
 * The browse half of the Litbot facade over a loaded index: topics, title lookup, the paper for a
 * half-remembered title, and its neighbours. The facade delegates its `topics`, `topic`,
 * `topicOf`, `lookup`, `paper` and `similar` methods here.
 */
import type { Paper } from '../corpus/paper.js';
import { UserError } from '../errors.js';
import { checkSimilarK, similarPapers } from './similar.js';
import { TitleIndex, type TitleEntry } from './title-lookup.js';
import { findTopic, topicFeatures, topicOfPaper } from './topics.js';
import type { LookupMatch, SimilarPaper, Topic } from './types.js';

/** Below this lookup score the best match is too far from the query to be "the" paper. */
const PAPER_MIN_SCORE = 0.5;

/**
 * Share of the similarity vectors taken from the embeddings (the rest is the paper's TF-IDF, as
 * for topics). Measured on the seeds with USE-lite: of each paper's five nearest papers, 30% share
 * its human topic with half and half, 21% with the embeddings alone.
 */
const SIMILAR_EMBEDDING_WEIGHT = 0.5;

export interface BrowseIndex {
  papers: Paper[];
  paperById: ReadonlyMap<string, Paper>;
  paperVectors: Map<string, Float32Array>;
  topics: Topic[];
  /** Titles and the names abstracts introduce, as the index keeps them: title lookup then reads no abstract. */
  titles?: TitleEntry[];
  /** Vectors for similar papers, as the index keeps them (`similarityVectors`); else computed on first use. */
  similarVectors?: Map<string, Float32Array>;
}

/** Paper-level vectors for neighbours: centred embedding beside the paper's TF-IDF (the build stores them in the index). */
export function similarityVectors(papers: Paper[], paperVectors: Map<string, Float32Array>): Map<string, Float32Array> {
  const withVectors = papers.filter((p) => paperVectors.has(p.id));
  if (withVectors.length < 2) return paperVectors;
  const f = topicFeatures(withVectors, paperVectors, SIMILAR_EMBEDDING_WEIGHT);
  return new Map(withVectors.map((p, i) => [p.id, f.data.subarray(i * f.dim, (i + 1) * f.dim)]));
}

/**
 * Every part is built on first use from what the index keeps, so `topics` never builds the title
 * index and `paper` never reads every abstract.
 */
export class PaperBrowser {
  private titleIndex?: TitleIndex;
  private titleMap?: Map<string, string>;
  private topicMap?: Map<string, Topic>;
  private similarityVectors?: Map<string, Float32Array>;

  constructor(private readonly index: BrowseIndex) {}

  private get titles(): TitleIndex {
    this.titleIndex ??= this.index.titles ? new TitleIndex(this.index.titles) : TitleIndex.fromPapers(this.index.papers);
    return this.titleIndex;
  }

  private get titleById(): Map<string, string> {
    this.titleMap ??= new Map(this.index.titles ? this.index.titles.map((t) => [t.paperId, t.title]) : this.index.papers.map((p) => [p.id, p.title]));
    return this.titleMap;
  }

  private get topicByPaper(): Map<string, Topic> {
    if (!this.topicMap) {
      this.topicMap = new Map();
      for (const topic of this.index.topics) for (const { paperId } of topic.papers) this.topicMap.set(paperId, topic);
    }
    return this.topicMap;
  }

  topics(): Topic[] {
    return this.index.topics;
  }

  /** A topic by id or label words; `UserError` listing some topics when none matches. */
  topic(query: string): Topic {
    return findTopic(this.index.topics, query);
  }

  topicOf(paperId: string): Topic | undefined {
    return this.topicByPaper.get(paperId) ?? topicOfPaper(this.index.topics, paperId);
  }

  lookup(query: string, limit = 10): LookupMatch[] {
    return this.titles.search(query, limit);
  }

  /** The best title match; `UserError` naming the query (and near misses) when none is close. */
  paper(titleQuery: string): Paper {
    const query = titleQuery.trim();
    if (!query) throw new UserError('Give (part of) a paper title, e.g. "lora dropout".');
    const matches = this.titles.search(query, 3);
    const best = matches[0];
    if (!best || best.score < PAPER_MIN_SCORE) {
      const near = matches.length ? ` Closest: ${matches.map((m) => `"${m.title}"`).join('; ')}.` : '';
      throw new UserError(`No paper title matches "${query}".${near}`);
    }
    return this.index.paperById.get(best.paperId)!;
  }

  /** The `k` nearest papers to the best title match, without the paper itself or its duplicates. */
  similar(titleQuery: string, k = 5): { paper: Paper; similar: (SimilarPaper & { paper: Paper })[] } {
    checkSimilarK(k);
    const paper = this.paper(titleQuery);
    const similar = similarPapers(this.vectorsForSimilarity(), paper.id, k, { titles: this.titleById }).map((s) => ({
      ...s,
      paper: this.index.paperById.get(s.paperId)!,
    }));
    return { paper, similar };
  }

  private vectorsForSimilarity(): Map<string, Float32Array> {
    this.similarityVectors ??= this.index.similarVectors ?? similarityVectors(this.index.papers, this.index.paperVectors);
    return this.similarityVectors;
  }
}
