/**
 * The one arXiv API client: `npm run index -- --resolve-links` searches it by title, `/add` fetches
 * one paper by id. Both go through the same request spacing (arXiv asks API clients for a few
 * seconds between requests), timeout, Atom parsing and answer cache (`CACHE_DIR/arxiv-links.json`),
 * and both talk to `ARXIV_API_URL`, so a mirror or a test's fake server serves them alike.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { normalizeTitle } from '../corpus/normalize.js';
import { errorMessage } from '../errors.js';

/** arXiv's own API endpoint, the default of `ARXIV_API_URL`. */
export const DEFAULT_ARXIV_API_URL = 'https://export.arxiv.org/api/query';

/** An arXiv identifier without its version ("2405.01234", "cs/0101001"), and the version asked for, if any. */
export interface ArxivId {
  id: string;
  version?: number;
}

/** One entry of an arXiv Atom feed. */
export interface ArxivEntry {
  /** The id without version. */
  id: string;
  /** The version the entry describes, when its id carries one. */
  version?: number;
  title: string;
  /** The abstract. */
  summary: string;
  authors: string[];
  /** ISO timestamp of the first version. */
  published?: string;
  /** The entry's `arxiv.org/abs` page (`<link rel="alternate">`), as arXiv gives it. */
  absUrl?: string;
}

/** A paper fetched by id: what `/add` previews and stores. */
export interface ArxivPaper {
  id: string;
  version?: number;
  title: string;
  abstract: string;
  authors: string[];
  /** YYYY-MM-DD of the first version, when arXiv gave one. */
  date?: string;
  /** `https://arxiv.org/abs/<id>` (with the version when one was asked for). */
  url: string;
}

/** The input is not an arXiv identifier or an arXiv link. */
export class InvalidArxivIdError extends Error {
  override readonly name = 'InvalidArxivIdError';
}

/** arXiv answered, and has no paper under that identifier. */
export class ArxivNotFoundError extends Error {
  override readonly name = 'ArxivNotFoundError';
  constructor(readonly arxivId: string) {
    super(`arXiv has no paper ${arxivId}`);
  }
}

/** arXiv could not be reached, answered with an error status, or took longer than the timeout. */
export class ArxivUnavailableError extends Error {
  override readonly name = 'ArxivUnavailableError';
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

// ------------------------------------------------------------------ identifiers

/** New-style ids: YYMM.NNNN (April 2007 to 2014) or YYMM.NNNNN (2015 on). */
const NEW_STYLE = /^(\d{2})(\d{2})\.(\d{4,5})(?:v(\d+))?$/;
/** Old-style ids: archive (with an optional subject class, dropped) / YYMMNNN. */
const OLD_STYLE = /^([a-z]+(?:-[a-z]+)?)(?:\.[a-z]{2})?\/(\d{2})(\d{2})(\d{3})(?:v(\d+))?$/i;
const ARXIV_HOST = /^(?:[a-z0-9-]+\.)*arxiv\.org$/i;

function validMonth(mm: string): boolean {
  const m = Number(mm);
  return m >= 1 && m <= 12;
}

/** `2405.01234`, `2405.01234v2`, `cs/0101001` (and `arXiv:` in front of any) as an id, or a reason it is not one. */
function parseBareId(text: string): ArxivId | string {
  const bare = text.replace(/^arxiv:\s*/i, '');
  let m = NEW_STYLE.exec(bare);
  if (m) {
    const [, yy, mm, number, version] = m;
    if (!validMonth(mm)) return `${yy}${mm} is not a year and month (YYMM)`;
    const year = Number(yy);
    if (year < 7 || (year === 7 && Number(mm) < 4)) return 'new-style ids start in April 2007 (0704.xxxx)';
    if (year < 15 && number.length !== 4) return `ids from before 2015 have four digits after the dot`;
    if (year >= 15 && number.length !== 5) return `ids from 2015 on have five digits after the dot`;
    return { id: `${yy}${mm}.${number}`, ...(version ? { version: Number(version) } : {}) };
  }
  m = OLD_STYLE.exec(bare);
  if (m) {
    const [, archive, yy, mm, number, version] = m;
    if (!validMonth(mm)) return `${yy}${mm} is not a year and month (YYMM)`;
    return { id: `${archive.toLowerCase()}/${yy}${mm}${number}`, ...(version ? { version: Number(version) } : {}) };
  }
  return 'it is not an arXiv identifier';
}

/**
 * Reads what a user gives as a paper's source: an arXiv id (`2405.01234`, `2405.01234v2`,
 * `arXiv:2405.01234`, `cs/0101001`) or an arXiv link (`arxiv.org/abs/...`, `/pdf/...`, with or
 * without `https://`). Throws `InvalidArxivIdError` saying what is wrong.
 */
export function parseArxivSource(input: string): ArxivId {
  const text = input
    .trim()
    .replace(/^<(.*)>$/, '$1')
    .trim();
  if (!text) throw new InvalidArxivIdError('No arXiv identifier or link was given.');
  const looksLikeUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^(?:[a-z0-9-]+\.)*arxiv\.org\//i.test(text);
  if (!looksLikeUrl) {
    const parsed = parseBareId(text);
    if (typeof parsed === 'string') throw new InvalidArxivIdError(`That is not an arXiv identifier: ${parsed}.`);
    return parsed;
  }
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new InvalidArxivIdError('That link cannot be read.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidArxivIdError('Only http(s) links to arxiv.org are accepted.');
  if (!ARXIV_HOST.test(url.hostname)) throw new InvalidArxivIdError(`That link is not on arxiv.org (it points to ${url.hostname.slice(0, 100)}).`);
  const path = /^\/(?:abs|pdf|html|format)\/(.+?)(?:\.pdf)?\/?$/i.exec(decodeURIComponent(url.pathname));
  if (!path) throw new InvalidArxivIdError('That arXiv link names no paper: use its /abs/ or /pdf/ page.');
  const parsed = parseBareId(path[1]);
  if (typeof parsed === 'string') throw new InvalidArxivIdError(`That arXiv link names no paper: ${parsed}.`);
  return parsed;
}

/** `2405.01234` or `2405.01234v2`. */
export function formatArxivId(id: ArxivId): string {
  return id.version ? `${id.id}v${id.version}` : id.id;
}

// ------------------------------------------------------------------ the Atom feed

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  // Element text is read as written: an id such as 2405.01230 must not become a number.
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === 'entry' || name === 'author' || name === 'link',
});

const oneLine = (text: unknown) => (typeof text === 'string' ? text.replace(/\s+/g, ' ').trim() : '');

function textOf(node: unknown): string {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object' && '#text' in node) return String((node as { '#text': unknown })['#text']);
  return '';
}

/** An Atom entry as the parser hands it over: elements as text or `{ '#text' }`, attributes as `@_name`. */
interface AtomEntry {
  id?: unknown;
  title?: unknown;
  summary?: unknown;
  published?: unknown;
  author?: { name?: unknown }[];
  link?: Record<string, unknown>[];
}

/** Every entry of an arXiv Atom feed that names a paper (error entries and entries without a title are left out). */
export function parseArxivEntries(xml: string): ArxivEntry[] {
  let doc: { feed?: { entry?: AtomEntry[] } } | undefined;
  try {
    doc = parser.parse(xml);
  } catch {
    return [];
  }
  const entries: AtomEntry[] = doc?.feed?.entry ?? [];
  const out: ArxivEntry[] = [];
  for (const entry of entries) {
    const rawId = oneLine(textOf(entry.id));
    const m = /^https?:\/\/(?:[a-z0-9-]+\.)*arxiv\.org\/abs\/(.+?)(?:v(\d+))?$/i.exec(rawId);
    const title = oneLine(textOf(entry.title));
    if (!m || !title) continue;
    const links = entry.link ?? [];
    const alternate = links.find((l) => l?.['@_rel'] === 'alternate')?.['@_href'];
    out.push({
      id: m[1],
      ...(m[2] ? { version: Number(m[2]) } : {}),
      title,
      summary: oneLine(textOf(entry.summary)),
      authors: (entry.author ?? []).map((a) => oneLine(textOf(a?.name))).filter(Boolean),
      ...(entry.published ? { published: oneLine(textOf(entry.published)) } : {}),
      ...(typeof alternate === 'string' ? { absUrl: alternate } : {}),
    });
  }
  return out;
}

/** Entries of an arXiv Atom feed: id (without version) and title. */
export function parseArxivFeed(xml: string): { id: string; title: string }[] {
  return parseArxivEntries(xml).map(({ id, title }) => ({ id, title }));
}

// ------------------------------------------------------------------ the cache

/** One cached answer: a title search (keyed by normalised title) or a paper fetched by id (keyed `arxiv:<id>`). */
export interface ArxivCacheEntry {
  /** The arXiv id without version, or null when no confident match exists. */
  arxivId: string | null;
  matchedTitle?: string;
  checkedAt: string;
  /** The paper, for entries fetched by id. */
  paper?: ArxivPaper;
}

type Cache = Record<string, ArxivCacheEntry>;

function readCache(file: string): Cache {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Cache) : {};
  } catch {
    return {};
  }
}

// ------------------------------------------------------------------ the client

export interface ArxivClientOptions {
  /** The API's query endpoint (`ARXIV_API_URL`; tests point it at a local fake). */
  apiUrl?: string;
  /** JSON file of earlier answers; without one nothing is cached. */
  cacheFile?: string;
  /** Gap between two requests (arXiv asks for 3 s). */
  minIntervalMs?: number;
  /** Per-request deadline (default 15 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Talks to the arXiv API: spaced requests, a deadline on each, Atom parsed, answers cached. */
export class ArxivClient {
  readonly apiUrl: string;
  private readonly minIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly doFetch: typeof fetch;
  private cache: Cache | undefined;
  /** Requests leave one after another through this chain, each `minIntervalMs` after the one before actually left. */
  private gate: Promise<void> = Promise.resolve();
  private lastSent = 0;

  constructor(private readonly options: ArxivClientOptions = {}) {
    this.apiUrl = options.apiUrl ?? DEFAULT_ARXIV_API_URL;
    this.minIntervalMs = options.minIntervalMs ?? 3000;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.doFetch = options.fetch ?? fetch;
  }

  /** A cached answer, read from the cache file on first use. */
  cached(key: string): ArxivCacheEntry | undefined {
    if (!this.options.cacheFile) return undefined;
    this.cache ??= readCache(this.options.cacheFile);
    return this.cache[key];
  }

  /** Stores answers and saves the cache file at once (written whole, then renamed), so an interrupted run loses nothing. */
  remember(entries: Record<string, ArxivCacheEntry>): void {
    const file = this.options.cacheFile;
    if (!file) return;
    // Re-read first: another process (the bot, or a second `npm run index`) may have added answers.
    this.cache = { ...readCache(file), ...this.cache, ...entries };
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.cache, null, 1));
    renameSync(tmp, file);
  }

  /** One GET of the API with `params`, spaced from the previous request; the feed's text. */
  private async request(params: Record<string, string>): Promise<string> {
    const turn = this.gate.then(async () => {
      const wait = this.lastSent + this.minIntervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.lastSent = Date.now();
    });
    this.gate = turn;
    await turn;
    // Spaces as %20, not '+': what arXiv's documentation shows, and what every mirror reads alike.
    const query = Object.entries(params)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&');
    const url = `${this.apiUrl}?${query}`;
    let response: Response;
    try {
      response = await this.doFetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { 'user-agent': 'litbot (arXiv API client)' } });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new ArxivUnavailableError(timedOut ? `arXiv did not answer within ${this.timeoutMs / 1000} s` : `arXiv could not be reached: ${errorMessage(error)}`, timedOut);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new ArxivUnavailableError(timedOut ? `arXiv did not answer within ${this.timeoutMs / 1000} s` : `arXiv's answer was cut off: ${errorMessage(error)}`, timedOut);
    }
    // arXiv answers a malformed id with HTTP 400 and an error entry: that is an answer, not an outage.
    if (!response.ok && !(response.status === 400 && /<feed\b/.test(text))) throw new ArxivUnavailableError(`arXiv answered HTTP ${response.status}`);
    return text;
  }

  /** Papers whose title matches the phrase, as arXiv ranks them (a `ti:"..."` query). */
  async searchTitle(phrase: string, maxResults = 5): Promise<ArxivEntry[]> {
    return parseArxivEntries(await this.request({ search_query: `ti:"${phrase}"`, start: '0', max_results: String(maxResults) }));
  }

  /**
   * One paper by id (the version asked for, else the latest). Answers from the cache when this
   * id was fetched before. Throws `ArxivNotFoundError` when arXiv has no such paper and
   * `ArxivUnavailableError` when it cannot be asked.
   */
  async fetchPaper(arxivId: ArxivId): Promise<ArxivPaper> {
    const wanted = formatArxivId(arxivId);
    const key = `arxiv:${wanted}`;
    const hit = this.cached(key)?.paper;
    if (hit) return hit;
    const entries = parseArxivEntries(await this.request({ id_list: wanted, max_results: '1' }));
    const entry = entries.find((e) => e.id === arxivId.id && (!arxivId.version || e.version === arxivId.version));
    if (!entry || !entry.summary) throw new ArxivNotFoundError(wanted);
    const date = /^\d{4}-\d{2}-\d{2}/.exec(entry.published ?? '')?.[0];
    const paper: ArxivPaper = {
      id: entry.id,
      ...(arxivId.version ? { version: arxivId.version } : {}),
      title: entry.title,
      abstract: entry.summary,
      authors: entry.authors,
      ...(date ? { date } : {}),
      url: `https://arxiv.org/abs/${wanted}`,
    };
    const now = new Date().toISOString();
    // The title lookup learns the link too, so `--resolve-links` never asks for this paper again.
    this.remember({
      [key]: { arxivId: entry.id, matchedTitle: entry.title, checkedAt: now, paper },
      [normalizeTitle(entry.title)]: { arxivId: entry.id, matchedTitle: entry.title, checkedAt: now },
    });
    return paper;
  }
}
