/**
 * `npm run index -- --resolve-links`: looks each paper up on the arXiv API by title and, when one
 * result's title matches closely enough, stores its `https://arxiv.org/abs/<id>` link. Answers
 * (hits and misses) are cached in a JSON file, so a second run makes no requests; requests are
 * spaced `minIntervalMs` apart, as arXiv asks of API clients.
 */
import type { Paper } from '../corpus/paper.js';
import { normalizeTitle } from '../corpus/normalize.js';
import { errorMessage } from '../errors.js';
import { ArxivClient, parseArxivFeed } from './arxiv-client.js';

export { parseArxivFeed };

export interface ResolveLinksOptions {
  /** The arXiv API query endpoint (`ARXIV_API_URL`; tests point it at a local fake). */
  apiUrl?: string;
  /** JSON file of earlier answers, keyed by normalised title. */
  cacheFile: string;
  /** Gap between two requests (arXiv asks for 3 s). */
  minIntervalMs?: number;
  /** Per-request deadline (default 15 s). */
  timeoutMs?: number;
  /** Smallest title similarity (0..1) that counts as the same paper (default 0.9). */
  minSimilarity?: number;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  /** Apply cached answers only, asking arXiv nothing (every build does this; `--resolve-links` goes online). */
  cacheOnly?: boolean;
}

export interface ResolveLinksResult {
  /** Papers whose link was found by a request in this run. */
  resolved: number;
  /** Papers left without a link: derived titles, no confident match, or a failed request. */
  skipped: number;
  /** Papers answered from the cache (with or without a link). */
  cached: number;
}

/** Dice similarity of the character bigrams of two normalised titles (1 = identical). */
export function titleSimilarity(a: string, b: string): number {
  const x = normalizeTitle(a).replace(/ /g, '');
  const y = normalizeTitle(b).replace(/ /g, '');
  if (x === y) return 1;
  if (x.length < 2 || y.length < 2) return 0;
  const grams = new Map<string, number>();
  for (let i = 0; i < x.length - 1; i++) grams.set(x.slice(i, i + 2), (grams.get(x.slice(i, i + 2)) ?? 0) + 1);
  let both = 0;
  for (let i = 0; i < y.length - 1; i++) {
    const g = y.slice(i, i + 2);
    const n = grams.get(g) ?? 0;
    if (n > 0) {
      both++;
      grams.set(g, n - 1);
    }
  }
  return (2 * both) / (x.length - 1 + y.length - 1);
}

function apply(paper: Paper, arxivId: string): void {
  paper.url = `https://arxiv.org/abs/${arxivId}`;
  paper.urlIsDirect = true;
}

/**
 * Sets `url` and `urlIsDirect` on the papers arXiv knows under (nearly) the same title. Papers
 * with a derived title or a direct link already are left alone. Stops early, keeping what it
 * has, when arXiv cannot be reached.
 */
export async function resolveLinks(papers: Paper[], options: ResolveLinksOptions): Promise<ResolveLinksResult> {
  const interval = options.minIntervalMs ?? 3000;
  const minSimilarity = options.minSimilarity ?? 0.9;
  const log = options.log ?? (() => {});
  const client = new ArxivClient({ apiUrl: options.apiUrl, cacheFile: options.cacheFile, minIntervalMs: interval, timeoutMs: options.timeoutMs, fetch: options.fetch });
  const result: ResolveLinksResult = { resolved: 0, skipped: 0, cached: 0 };
  let failuresInARow = 0;

  const todo: Paper[] = [];
  for (const paper of papers) {
    if (paper.titleDerived) {
      result.skipped++;
      continue;
    }
    if (paper.urlIsDirect) continue;
    const hit = client.cached(normalizeTitle(paper.title));
    if (hit) {
      result.cached++;
      if (hit.arxivId) apply(paper, hit.arxivId);
      continue;
    }
    todo.push(paper);
  }
  if (options.cacheOnly) {
    result.skipped += todo.length;
    return result;
  }
  if (todo.length) log(`Looking up ${todo.length} paper${todo.length === 1 ? '' : 's'} on arXiv (one request every ${interval / 1000} s).`);

  for (const [i, paper] of todo.entries()) {
    const phrase = normalizeTitle(paper.title);
    let entries: { id: string; title: string }[];
    try {
      entries = await client.searchTitle(phrase);
      failuresInARow = 0;
    } catch (error) {
      result.skipped++;
      failuresInARow++;
      log(`arXiv lookup failed for "${paper.title}": ${errorMessage(error)}`);
      if (failuresInARow >= 3) {
        result.skipped += todo.length - i - 1;
        log(`arXiv seems unreachable; ${todo.length - i - 1} more papers keep their search links. Run again later to resume.`);
        break;
      }
      continue;
    }
    const best = entries.map((e) => ({ ...e, similarity: titleSimilarity(paper.title, e.title) })).sort((a, b) => b.similarity - a.similarity)[0];
    // Saved as it goes, so an interrupted run loses nothing.
    if (best && best.similarity >= minSimilarity) {
      client.remember({ [phrase]: { arxivId: best.id, matchedTitle: best.title, checkedAt: new Date().toISOString() } });
      apply(paper, best.id);
      result.resolved++;
    } else {
      client.remember({ [phrase]: { arxivId: null, ...(best ? { matchedTitle: best.title } : {}), checkedAt: new Date().toISOString() } });
      result.skipped++;
    }
  }
  log(`arXiv links: ${result.resolved} resolved, ${result.cached} from cache, ${result.skipped} skipped.`);
  return result;
}
