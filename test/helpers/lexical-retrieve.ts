/**
 * A small BM25 retriever over the real seed papers (MiniSearch), for tests of the answer pipeline
 * that should not wait for an index build. Hits carry BM25 only; `dense` is left unset.
 */
import MiniSearch from 'minisearch';
import { loadCorpus } from '../../src/corpus/load-corpus.js';
import { splitSentences } from '../../src/corpus/normalize.js';
import type { Paper } from '../../src/corpus/paper.js';
import type { PaperHit, SearchOptions, SearchResponse } from '../../src/retrieval/types.js';

let papers: Paper[] | undefined;

/** The 158 seed papers, read once per process. */
export function seedPapers(): Paper[] {
  papers ??= loadCorpus('seeds').papers;
  return papers;
}

/** A paper by (part of) its title; throws when none matches so a renamed seed fails loudly. */
export function seedPaper(titlePart: string): Paper {
  const p = seedPapers().find((x) => x.title.toLowerCase().includes(titlePart.toLowerCase()));
  if (!p) throw new Error(`no seed paper titled like "${titlePart}"`);
  return p;
}

/** A hit for `paper` whose passages are its abstract in three-sentence windows. */
export function hitFor(paper: Paper, score = 1, extra: Partial<PaperHit> = {}): PaperHit {
  const sentences = splitSentences(paper.abstract);
  const passages = [];
  for (let i = 0; i < sentences.length; i += 3) {
    passages.push({ chunkId: `${paper.id}#${i / 3}`, text: sentences.slice(i, i + 3).join(' '), score: score / (1 + i / 3) });
  }
  return { paperId: paper.id, paper, score, passages, ...extra };
}

/** A `retrieve` that always returns these papers, in this order, as strong matches. */
export function fixedRetrieve(list: Paper[], extra: Partial<PaperHit> = { dense: 0.7, bm25: 12 }) {
  return async (query: string, _options?: SearchOptions): Promise<SearchResponse> => ({
    query,
    hits: list.map((p, i) => hitFor(p, 1 / (1 + i), extra)),
    queryCoverage: 1,
    timings: { embedMs: 0, denseMs: 0, bm25Ms: 0, totalMs: 0 },
  });
}

let search: MiniSearch<Paper> | undefined;

/** BM25 over titles and abstracts of the seed papers. */
export async function lexicalRetrieve(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
  if (!search) {
    search = new MiniSearch<Paper>({ fields: ['title', 'abstract'], storeFields: [], idField: 'id' });
    search.addAll(seedPapers());
  }
  const byId = new Map(seedPapers().map((p) => [p.id, p]));
  const results = search.search(query, { boost: { title: 2 }, fuzzy: false, prefix: false }).slice(0, options.k ?? 10);
  return {
    query,
    hits: results.map((r) => hitFor(byId.get(String(r.id))!, r.score, { bm25: r.score })),
    queryCoverage: 1,
    timings: { embedMs: 0, denseMs: 0, bm25Ms: 0, totalMs: 0 },
  };
}
