/**
 * Turns listings into papers. Two listings are one paper only when that is certain: the same arXiv
 * id or link, or the same normalised title with the same or nearly the same abstract (or the same
 * abstract where one listing has no title). Everything else stays a paper of its own, and every
 * merge, and every near miss kept apart, is reported with both sources.
 */
import type { CorpusNote } from './corpus-report.js';
import { where } from './corpus-report.js';
import { cleanText, deriveTitle, isoDate, normalizeTitle, parseArxivId, searchUrl, stableId } from './normalize.js';
import type { Paper, SourceRef } from './paper.js';
import type { RawEntry } from './raw-entry.js';

/** Why two listings were taken for one paper. */
export type MergeReason = 'same arXiv id' | 'same link' | 'same title and abstract' | 'same title, nearly the same abstract' | 'same abstract, one listing untitled';

/** One listing merged into a paper read before it. */
export interface CorpusMerge {
  paperId: string;
  title: string;
  reason: MergeReason;
  /** The paper's first listing, then the listing merged into it. */
  sources: [SourceRef, SourceRef];
}

export interface MergedCorpus {
  papers: Paper[];
  merges: CorpusMerge[];
  notes: CorpusNote[];
}

/**
 * Share of word trigrams the shorter of two abstracts has in common with the other, from which
 * they count as the same abstract (a revised or truncated version). Two different papers under
 * one title share a few phrases at most.
 */
export const NEAR_SAME_ABSTRACT = 0.5;

interface Listing {
  paper: Paper;
  abstractNorm: string;
  fromArxiv: boolean;
  trigrams?: Set<string>;
}

function trigramsOf(listing: Pick<Listing, 'abstractNorm' | 'trigrams'>): Set<string> {
  if (listing.trigrams) return listing.trigrams;
  const words = listing.abstractNorm.split(' ');
  const grams = new Set<string>();
  if (words.length < 3) grams.add(words.join(' '));
  for (let i = 0; i + 3 <= words.length; i++) grams.add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  return (listing.trigrams = grams);
}

/** True when two abstracts are the same text, or nearly (see `NEAR_SAME_ABSTRACT`). */
function nearlySame(a: Pick<Listing, 'abstractNorm' | 'trigrams'>, b: Pick<Listing, 'abstractNorm' | 'trigrams'>): boolean {
  if (a.abstractNorm === b.abstractNorm) return true;
  const [small, large] = [trigramsOf(a), trigramsOf(b)].sort((x, y) => x.size - y.size);
  let shared = 0;
  for (const g of small) if (large.has(g)) shared++;
  return shared / Math.max(1, small.size) >= NEAR_SAME_ABSTRACT;
}

/** The key two listings with the same link share: the arXiv id, or the URL without scheme, `www.` or trailing slash. */
export function linkKey(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = parsed.hostname.toLowerCase().replace(/^www\./, '');
  const arxiv = host.endsWith('arxiv.org') ? /^\/(?:abs|pdf|html)\/(.+?)(?:\.pdf)?\/?$/.exec(parsed.pathname)?.[1] : undefined;
  const id = arxiv && parseArxivId(arxiv);
  if (id) return `arxiv:${id}`;
  return `url:${host}${parsed.pathname.replace(/\/+$/, '')}${parsed.search}`;
}

export function mergeEntries(raw: { entry: RawEntry; file: string }[]): MergedCorpus {
  const papers: Paper[] = [];
  const merges: CorpusMerge[] = [];
  const notes: CorpusNote[] = [];
  const byTitle = new Map<string, Listing[]>();
  const byAbstract = new Map<string, Listing[]>();
  const byLink = new Map<string, Listing>();
  const usedIds = new Set<string>();
  const add = <K>(map: Map<K, Listing[]>, key: K, listing: Listing) => {
    const list = map.get(key) ?? [];
    if (!list.includes(listing)) list.push(listing);
    map.set(key, list);
  };
  /** The stable id for `key`; a key already taken (a near miss kept apart) is made unique by the abstract. */
  const idFor = (key: string, abstractNorm: string): string => {
    let id = stableId(key);
    if (usedIds.has(id)) id = stableId(`${key}\nabstract:${abstractNorm}`);
    for (let n = 2; usedIds.has(id); n++) id = stableId(`${key}\nabstract:${abstractNorm}\n#${n}`);
    usedIds.add(id);
    return id;
  };

  for (const { entry, file } of raw) {
    const source: SourceRef = { file, line: entry.line };
    const abstract = cleanText(entry.abstract);
    const title = entry.title ? cleanText(entry.title) || undefined : undefined;
    const titleNorm = title ? normalizeTitle(title) : undefined;
    const candidate = { abstractNorm: normalizeTitle(abstract) } as Pick<Listing, 'abstractNorm' | 'trigrams'>;
    // Untitled papers are keyed by their abstract's opening, as their id has always been.
    const abstractKey = `abstract:${candidate.abstractNorm.slice(0, 300)}`;
    const link = linkKey(entry.url);

    let target: Listing | undefined;
    let reason: MergeReason | undefined;
    if (link && byLink.has(link)) {
      target = byLink.get(link);
      reason = link.startsWith('arxiv:') ? 'same arXiv id' : 'same link';
    }
    if (!target && titleNorm) {
      target = byTitle.get(titleNorm)?.find((l) => nearlySame(l, candidate));
      if (target) reason = target.abstractNorm === candidate.abstractNorm ? 'same title and abstract' : 'same title, nearly the same abstract';
    }
    if (!target) {
      target = byAbstract.get(abstractKey)?.find((l) => (!titleNorm || l.paper.titleDerived) && nearlySame(l, candidate));
      if (target) reason = 'same abstract, one listing untitled';
    }

    if (target && reason) {
      mergeInto(target, entry, title, abstract, source, () => idFor(`title:${titleNorm}`, target!.abstractNorm));
      merges.push({ paperId: target.paper.id, title: target.paper.title, reason, sources: [target.paper.sources[0], source] });
      if (titleNorm) add(byTitle, titleNorm, target);
      add(byAbstract, abstractKey, target);
      if (link) byLink.set(link, target);
      continue;
    }

    const sameTitle = titleNorm ? byTitle.get(titleNorm)?.[0] : undefined;
    if (sameTitle) {
      notes.push({
        ...source,
        message: `same title as ${where(sameTitle.paper.sources[0])} but a different abstract: kept as a separate paper`,
      });
    }
    const sameAbstract = titleNorm ? byAbstract.get(abstractKey)?.find((l) => !l.paper.titleDerived && nearlySame(l, candidate)) : undefined;
    if (sameAbstract) {
      notes.push({
        ...source,
        message: `same abstract as ${where(sameAbstract.paper.sources[0])} ("${sameAbstract.paper.title}") under a different title: kept as a separate paper`,
      });
    }

    const titleDerived = !title;
    const paperTitle = title ?? deriveTitle(abstract);
    const fromArxiv = Boolean(entry.fromArxiv);
    const paper: Paper = {
      id: idFor(titleNorm ? `title:${titleNorm}` : abstractKey, candidate.abstractNorm),
      title: paperTitle,
      titleDerived,
      abstract,
      url: entry.url ?? searchUrl(paperTitle, abstract, titleDerived, fromArxiv),
      urlIsDirect: Boolean(entry.url),
      authors: entry.authors,
      authorCount: entry.authorCount ?? entry.authors?.length,
      listedBy: entry.listedBy,
      date: entry.date,
      isoDate: isoDate(entry.date),
      venue: entry.venue,
      tags: entry.tags,
      upvotes: entry.upvotes,
      sources: [source],
    };
    const listing: Listing = { paper, abstractNorm: candidate.abstractNorm, fromArxiv, trigrams: candidate.trigrams };
    if (titleNorm) add(byTitle, titleNorm, listing);
    add(byAbstract, abstractKey, listing);
    if (link) byLink.set(link, listing);
    papers.push(paper);
  }
  return { papers, merges, notes };
}

function mergeInto(listing: Listing, entry: RawEntry, title: string | undefined, abstract: string, source: SourceRef, titleId: () => string): void {
  const { paper } = listing;
  paper.sources.push(source);
  listing.fromArxiv ||= Boolean(entry.fromArxiv);
  if (paper.titleDerived && title) {
    paper.title = title;
    paper.titleDerived = false;
    paper.id = titleId();
  }
  if (abstract.length > paper.abstract.length) paper.abstract = abstract;
  if (entry.url && !paper.urlIsDirect) {
    paper.url = entry.url;
    paper.urlIsDirect = true;
  }
  if (!paper.urlIsDirect) paper.url = searchUrl(paper.title, paper.abstract, paper.titleDerived, listing.fromArxiv);
  if (entry.authors?.length) paper.authors = [...new Set([...(paper.authors ?? []), ...entry.authors])];
  paper.authorCount = Math.max(paper.authorCount ?? 0, entry.authorCount ?? 0, paper.authors?.length ?? 0) || undefined;
  if (entry.listedBy?.length) paper.listedBy = [...new Set([...(paper.listedBy ?? []), ...entry.listedBy])];
  paper.date ??= entry.date;
  paper.isoDate ??= isoDate(entry.date);
  paper.venue ??= entry.venue;
  if (entry.tags?.length) paper.tags = [...new Set([...(paper.tags ?? []), ...entry.tags])];
  if (entry.upvotes !== undefined) paper.upvotes = Math.max(paper.upvotes ?? 0, entry.upvotes);
}
