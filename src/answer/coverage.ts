/**
 * Whether the retrieved papers cover a question well enough to answer it, from signals the
 * retriever already has (best chunk cosine, the share of the question's words the corpus knows)
 * and from how much of the question the best papers contain, weighted by how rare each word is.
 * Two narrow rules catch common false premises: a name the collection never mentions ("GPT-5",
 * "AlphaFold"), and a "why ..." question whose absolute claim ("always", "only", "every") the
 * best paper does not make. The thresholds were calibrated on `test/fixtures/questions.json`
 * with the real index (see `npm run eval`).
 */
import type { Paper } from '../corpus/paper.js';
import type { SearchResponse } from '../retrieval/types.js';
import { contentTerms, termSet, words } from './terms.js';

/** What the coverage rule knows about the whole collection. */
export interface Vocabulary {
  papers: number;
  /** Papers containing each stemmed content term. */
  df: Map<string, number>;
  /** Every lower-cased word of titles and abstracts, hyphens kept and dropped. */
  words: Set<string>;
}

/** The collection's vocabulary, built once per index. */
export function buildVocabulary(papers: Pick<Paper, 'title' | 'abstract'>[]): Vocabulary {
  const df = new Map<string, number>();
  const all = new Set<string>();
  for (const p of papers) {
    const text = `${p.title} ${p.abstract}`;
    for (const t of termSet(text)) df.set(t, (df.get(t) ?? 0) + 1);
    for (const w of words(text)) {
      all.add(w);
      all.add(w.replace(/-/g, ''));
      for (const part of w.split('-')) all.add(part);
    }
  }
  return { papers: papers.length, df, words: all };
}

export interface CoverageFeatures {
  /** Best chunk cosine among the top papers (0 when dense search did not run). */
  topDense: number;
  topBm25: number;
  /** Share of the question's content words the collection uses (the retriever's figure without a vocabulary). */
  queryCoverage: number;
  /** Best share, over the top papers, of the question's content words found in one paper. */
  termOverlap: number;
  /** Like `termOverlap`, each word weighted by its rarity in the collection; words it never uses weigh most (needs a vocabulary). */
  weightedOverlap: number;
  /** Question words none of the top papers contains. */
  missingTerms: string[];
  /** Names in the question (capitalised, mixed case or with digits) that the collection never uses. */
  unknownNames: string[];
  /** A "why" question asserting always/only/every/never/all, which its best paper does not say. */
  unsupportedAbsolute?: string;
  questionTerms: number;
}

export interface CoverageRule {
  /** Below this best cosine the papers are too far from the question. */
  minDense: number;
  /** Below this weighted overlap too little of the question is in any one paper. */
  minWeightedOverlap: number;
  /** Below this share of its content words known to the collection, the question is about something else. */
  minQueryCoverage: number;
  /** Decline when the question names something the collection never mentions. */
  declineUnknownNames: boolean;
  declineUnsupportedAbsolutes: boolean;
}

/**
 * Calibrated on the 196 questions of `test/fixtures/questions.json` with the USE-lite index: the
 * strictest thresholds that still answer at least 95% of the answerable questions.
 */
export const DEFAULT_RULE: CoverageRule = {
  minDense: 0.35,
  minWeightedOverlap: 0.1,
  minQueryCoverage: 0.7,
  declineUnknownNames: true,
  declineUnsupportedAbsolutes: true,
};

export interface CoverageDecision {
  covered: boolean;
  features: CoverageFeatures;
  /** Why it was declined, for logs and the eval. */
  reason?: string;
}

const NAME_LIKE = /^(?:[A-Za-z][a-z]*[A-Z][A-Za-z]*|[A-Z]{2,}[a-z]*s?|[A-Za-z]+-?\d[\w.]*|\d+[A-Za-z][\w-]*)$/;
const ABSOLUTE = /\b(always|only|every|never|all|any longer|no longer|immune)\b/i;

const SIZE = /^\d+(?:\.\d+)?[kKmMbBtT%]?(?:-\d+(?:\.\d+)?[kKmMbBtT%]?)?$/;

/**
 * Name-like tokens of a question: "AlphaFold", "GPT-5", "vLLM", "YOLO", and capitalised words
 * after the first ("Jetson", "Kubernetes").
 */
function namesIn(question: string): string[] {
  const tokens = question.match(/[A-Za-z0-9][A-Za-z0-9.'’-]*[A-Za-z0-9]|[A-Za-z]/g) ?? [];
  return tokens
    .map((t) => t.replace(/['’]s$/, ''))
    .filter((t, i) => (NAME_LIKE.test(t) || (i > 0 && /^[A-Z][a-z]{2,}$/.test(t))) && !SIZE.test(t));
}

/** The signals the rule reads, from the question and its search response. */
export function coverageFeatures(question: string, response: SearchResponse, vocabulary?: Vocabulary, topPapers = 3): CoverageFeatures {
  const q = [...new Set(contentTerms(question))];
  const top = response.hits.slice(0, topPapers);
  // A word the collection never uses weighs as much as the rarest word it does: the papers cannot speak to it.
  const idf = (t: string) => (vocabulary ? Math.log((vocabulary.papers + 1) / ((vocabulary.df.get(t) ?? 0) + 0.5)) : 1);
  const totalWeight = q.reduce((s, t) => s + idf(t), 0);
  // Our own count of known words, as the retriever's tokenizer does not fold British spellings.
  const queryCoverage = vocabulary ? (q.length ? q.filter((t) => vocabulary.df.has(t)).length / q.length : 0) : response.queryCoverage;
  let termOverlap = 0;
  let weightedOverlap = 0;
  let bestPaperText = '';
  const seen = new Set<string>();
  for (const hit of top) {
    const text = `${hit.paper.title} ${hit.paper.abstract}`;
    const terms = termSet(text);
    for (const t of terms) seen.add(t);
    const share = q.length ? q.filter((t) => terms.has(t)).length / q.length : 0;
    const weighted = totalWeight ? q.filter((t) => terms.has(t)).reduce((s, t) => s + idf(t), 0) / totalWeight : 0;
    termOverlap = Math.max(termOverlap, share);
    if (weighted > weightedOverlap || !bestPaperText) {
      weightedOverlap = Math.max(weightedOverlap, weighted);
      bestPaperText = text;
    }
  }
  const unknownNames = vocabulary
    ? namesIn(question).filter((n) => {
        const w = n.toLowerCase();
        return !vocabulary.words.has(w) && !vocabulary.words.has(w.replace(/-/g, '')) && !vocabulary.words.has(w.replace(/s$/, ''));
      })
    : [];
  let unsupportedAbsolute: string | undefined;
  const absolute = ABSOLUTE.exec(question);
  if (absolute && /\b(?:why|how come)\b/i.test(question)) {
    // "does not always help" does not support "always helps".
    const said = new RegExp(`(?<!\\b(?:not|n't|never)\\s+(?:\\w+\\s+)?)\\b${absolute[1]}\\b`, 'i');
    if (!said.test(bestPaperText)) unsupportedAbsolute = absolute[1].toLowerCase();
  }
  return {
    topDense: Math.max(0, ...top.map((h) => h.dense ?? 0)),
    topBm25: Math.max(0, ...top.map((h) => h.bm25 ?? 0)),
    queryCoverage,
    termOverlap,
    weightedOverlap: vocabulary ? weightedOverlap : termOverlap,
    missingTerms: q.filter((t) => !seen.has(t)),
    unknownNames,
    ...(unsupportedAbsolute ? { unsupportedAbsolute } : {}),
    questionTerms: q.length,
  };
}

/** Applies `rule` to the features of a question's search response. */
export function assessCoverage(question: string, response: SearchResponse, options: { rule?: CoverageRule; vocabulary?: Vocabulary } = {}): CoverageDecision {
  const rule = options.rule ?? DEFAULT_RULE;
  const features = coverageFeatures(question, response, options.vocabulary);
  const decide = (reason?: string): CoverageDecision => ({ covered: !reason, features, reason });
  if (!response.hits.length) return decide('no paper matched');
  if (features.questionTerms === 0) return decide('the question has no content words');
  if (rule.declineUnknownNames && features.unknownNames.length) return decide(`the collection never mentions ${features.unknownNames.join(', ')}`);
  if (rule.declineUnsupportedAbsolutes && features.unsupportedAbsolute) return decide(`the best paper does not say "${features.unsupportedAbsolute}"`);
  if (features.queryCoverage < rule.minQueryCoverage) return decide(`only ${(features.queryCoverage * 100).toFixed(0)}% of its words occur in the collection`);
  if (features.topDense < rule.minDense) return decide(`best passage similarity ${features.topDense.toFixed(2)} < ${rule.minDense}`);
  if (features.weightedOverlap < rule.minWeightedOverlap) return decide(`the best paper holds ${(features.weightedOverlap * 100).toFixed(0)}% of the question's weight`);
  return decide();
}
