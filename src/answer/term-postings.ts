/**
 * Which papers hold each stemmed content word, in the whole text and in the title: built once per
 * index, read by the overview (how many papers share a subject) and by follow-ups (is a word new
 * to the previous paper, and does it name a particular one).
 */
import { contentTerms } from './terms.js';

export interface TermPostings {
  papers: number;
  /** Paper ids by stemmed term of title or abstract. */
  postings: Map<string, Set<string>>;
  /** Number of titles holding each stemmed term. */
  titles: Map<string, number>;
}

/** Builds the postings in one pass over the papers. */
export function buildPostings(papers: { id: string; title: string; abstract: string }[]): TermPostings {
  const postings = new Map<string, Set<string>>();
  const titles = new Map<string, number>();
  for (const p of papers) {
    for (const t of contentTerms(`${p.title} ${p.abstract}`)) {
      let set = postings.get(t);
      if (!set) postings.set(t, (set = new Set()));
      set.add(p.id);
    }
    for (const t of new Set(contentTerms(p.title))) titles.set(t, (titles.get(t) ?? 0) + 1);
  }
  return { papers: papers.length, postings, titles };
}
