/**
 * The project's BM25+ scores (those of `Bm25Store`: MiniSearch's formula over a title field boosted
 * 1.5 and a text field, field length in distinct raw tokens, the running mean field length, and
 * the "quality" factor of distinct query terms matched), computed for a few candidate documents
 * from per-document statistics that Postgres keeps. The database's own BM25 index (pg_textsearch)
 * finds the candidates fast; these scores rank them exactly as the embedded index would, so the
 * ranker sees the same features whichever store serves (`npm run eval -- --store pgvector`).
 */
import { bm25FieldScore, bm25Idf, processTerm, type Bm25Doc } from '../bm25-store.js';

/** One document's statistics: distinct raw tokens per field, and each processed term's frequency per field. */
export interface DocStats {
  /** [title, text] */
  len: [number, number];
  /** term -> [tf in title, tf in text] */
  tf: Record<string, [number, number]>;
}

/** The collection's statistics: document count and mean field lengths (as MiniSearch computes them). */
export interface CollectionLexStats {
  n: number;
  avg: [number, number];
}

/** The same split as `Bm25Store`'s tokenizer (kept in step by `test/lexical-stats.test.ts`). */
function tokenize(text: string): string[] {
  return text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Statistics of each document, of the collection, and each term's document frequency per field. */
export function lexicalStats(docs: Bm25Doc[]): { docs: DocStats[]; collection: CollectionLexStats; df: Map<string, [number, number]> } {
  const avg: [number, number] = [0, 0];
  const df = new Map<string, [number, number]>();
  const out = docs.map((doc, d) => {
    const stats: DocStats = { len: [0, 0], tf: {} };
    (['title', 'text'] as const).forEach((field, f) => {
      const tokens = tokenize(doc[field]);
      const length = new Set(tokens).size;
      stats.len[f] = length;
      avg[f] = (avg[f] * d + length) / (d + 1);
      for (const token of tokens) {
        const term = processTerm(token);
        if (!term) continue;
        const entry = (stats.tf[term] ??= [0, 0]);
        if (entry[f] === 0) {
          const counts = df.get(term) ?? [0, 0];
          counts[f]++;
          df.set(term, counts);
        }
        entry[f]++;
      }
    });
    return stats;
  });
  return { docs: out, collection: { n: docs.length, avg }, df };
}

/**
 * A document's score for a query, `Bm25Store.search`'s to rounding: per term, the fields' BM25+
 * summed with their boosts; terms summed in query order (a repeated term again); times the number
 * of distinct query terms matched. `fields` scores one field alone.
 */
export function bm25Score(
  queryTerms: string[],
  doc: DocStats,
  collection: CollectionLexStats,
  df: (term: string) => [number, number] | undefined,
  fields: (0 | 1)[] = [0, 1],
): number {
  let score = 0;
  const matched = new Set<string>();
  for (const term of queryTerms) {
    const tf = doc.tf[term];
    const counts = df(term);
    if (!tf || !counts) continue;
    let termScore = 0;
    let hit = false;
    for (const f of fields) {
      if (!tf[f]) continue;
      hit = true;
      termScore += bm25FieldScore(f, bm25Idf(collection.n, counts[f]), tf[f], doc.len[f], collection.avg[f]);
    }
    if (!hit) continue;
    score += termScore;
    matched.add(term);
  }
  return score * matched.size;
}
