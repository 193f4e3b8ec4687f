/**
 * The offline answerer: picks the sentences of the top papers' abstracts that best answer the
 * question and strings them together, grouped by paper, most relevant paper first, with `[n]`
 * after each. Its only own words are short connectives, so everything it states is quoted.
 */
import { splitSentences } from '../corpus/normalize.js';
import { contentTerms, termSet } from './terms.js';

/** One source offered to the composer: `n` is its number in the answer. */
export interface ExtractiveSource {
  n: number;
  title: string;
  abstract: string;
  /** Retrieved passages of this paper with their scores (higher is better). */
  passages?: { text: string; score: number }[];
}

export interface ExtractiveOptions {
  /** Most papers cited (default 3). */
  maxPapers?: number;
  /** Most sentences quoted in all (default 5). */
  maxSentences?: number;
  /** Extra words that steer sentence choice without counting as the question (a follow-up's earlier turn). */
  context?: string;
  /** Text already shown (the previous answer of a follow-up): sentences quoted there are picked again only if nothing new fits. */
  alreadySaid?: string;
  /** Inverse document frequency of a stemmed term over the whole collection (see `termIdf`); without it, over the sources. */
  idf?: (term: string) => number;
}

/** IDF of stemmed terms over a collection of papers, for `ExtractiveOptions.idf`. */
export function termIdf(papers: { title: string; abstract: string }[]): (term: string) => number {
  const df = new Map<string, number>();
  for (const p of papers) for (const t of termSet(`${p.title} ${p.abstract}`)) df.set(t, (df.get(t) ?? 0) + 1);
  return idfFrom(df, papers.length);
}

/** The same IDF from document frequencies counted already (the coverage vocabulary's `df` counts the same terms). */
export function idfFrom(df: ReadonlyMap<string, number>, papers: number): (term: string) => number {
  return (term) => Math.log((papers + 1) / ((df.get(term) ?? 0) + 0.5));
}

export interface ExtractiveAnswer {
  /** Markdown with `[n]` markers, or '' when no sentence bears on the question. */
  text: string;
  /** The quoted sentences, by source number, in the order they appear. */
  quotes: { n: number; sentence: string }[];
}

/** Sentences that open by leaning on the one before read as fragments when quoted alone. */
const LEANS_BACK = /^(?:however|moreover|furthermore|additionally|in addition|also|thus|therefore|hence|consequently|besides|nevertheless|then|finally|second(?:ly)?|third(?:ly)?|lastly|specifically|notably|interestingly|further|subsequently|in contrast|in particular|in this (?:case|setting|context)|for (?:example|instance)|on the other hand|as a result|to this end|to address (?:this|these)|this|these|those|they|it|its|such|both)\b/i;
/** "Despite these advancements, ...", "Based on this, ...": a demonstrative early on points at the sentence before ("In this paper" does not). */
const POINTS_BACK = /^(?:[\w-]+[ ,]+){0,3}(?:these|those|such)\b|^(?:[\w-]+[ ,]+){1,3}this\b(?!\s+(?:paper|work|study|article|survey|letter|research|thesis|report|position|chapter|tutorial))/i;

/** True when a sentence cannot stand on its own without the one before it. */
function leansBack(sentence: string): boolean {
  return LEANS_BACK.test(sentence) || POINTS_BACK.test(sentence);
}

const NOT_PROSE = /\$|\\[a-z]+\{|\\["'`^~]|https?:\/\/|this https URL|\bcode (?:and data )?(?:is|are|will be) (?:publicly )?(?:available|released)|github\.com/i;
const INSTRUCTION_LIKE = /\b(?:ignore|disregard|forget)\b[^.]{0,40}\b(?:previous|prior|above|earlier|all)\b[^.]{0,20}\binstructions?\b|\b(?:you are now|system prompt|as an ai (?:language )?model)\b/i;

/** True for text that addresses the model rather than describing research; such sentences are never used. */
export function looksLikeInstruction(sentence: string): boolean {
  return INSTRUCTION_LIKE.test(sentence);
}

/** Share of the question's weight a sentence must match to lead the answer, or to add another paper. */
const MIN_LEAD = 0.12;
const MIN_OTHER = 0.2;
/** IDF above which a word is rare: used by about a fifth of the papers or fewer. */
const RARE_WEIGHT = Math.log(5);

interface Candidate {
  n: number;
  index: number;
  sentence: string;
  terms: Set<string>;
  score: number;
  /** Distinct question words the sentence contains. */
  matched: number;
  /** Of those, words that only a few papers use (the ones that say what the question is about). */
  rare: number;
}

function wordCount(s: string): number {
  return s.split(/\s+/).filter(Boolean).length;
}

/** Quoted sentences end with "[n]." rather than ". [n]" so the marker sits inside the sentence. */
function withMarker(sentence: string, n: number): string {
  const m = /^(.*?)([.!]+)$/.exec(sentence.trim());
  // A sentence that ends inside quotes or brackets keeps its ending as written.
  if (!m) return `${sentence.trim()} [${n}]`;
  return `${m[1]} [${n}]${m[2] === '!' ? '!' : '.'}`;
}

/** Quotes that open in one sentence and close in another leave a fragment. */
function unbalanced(sentence: string): boolean {
  const count = (re: RegExp) => (sentence.match(re) ?? []).length;
  return count(/"/g) % 2 === 1 || count(/“/g) !== count(/”/g) || count(/\(/g) !== count(/\)/g);
}

function escapeMarkdown(text: string): string {
  return text.replace(/([*_`~|\\[\]])/g, '\\$1');
}

/**
 * Text-formatting LaTeX read as noise in an answer: "$\\textbf{MIGU}$ ($\\textbf{M}$agn...)" becomes
 * "MIGU (Magn...)". Anything else in `$...$` is left, and such sentences are not quoted.
 */
export function stripLatexFormatting(text: string): string {
  return text
    .replace(/\$\s*\\(?:textbf|textit|textsc|texttt|emph|mathbf|mathrm|mathit|text)\{([^{}$]*)\}\s*\$/g, '$1')
    .replace(/\\(?:textbf|textit|textsc|texttt|emph)\{([^{}$]*)\}/g, '$1');
}

const LEAD_IN =
  /^(?:to (?:address|tackle|solve|overcome|mitigate|bridge|fill|alleviate|remedy|handle|close) (?:this|these|those|such|the above|both)(?: [\w-]+){0,3}|to this end|in response|motivated by (?:this|these)(?: [\w-]+){0,3}|inspired by (?:this|these)(?: [\w-]+){0,3}|based on (?:this|these)(?: [\w-]+){0,3}),\s+(?=[a-z])/i;

/**
 * "To address this limitation, we introduce X" reads as a fragment alone, but its main clause does
 * not: the lead-in is dropped ("We introduce X"). Only that opening is changed.
 */
export function detachLeadIn(sentence: string): string {
  const m = LEAD_IN.exec(sentence);
  if (!m) return sentence;
  const rest = sentence.slice(m[0].length);
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

/** Sentences of an abstract, also split where a source lost the space after a full stop ("tasks.One of"). */
export function sentencesOf(abstract: string): string[] {
  return splitSentences(stripLatexFormatting(abstract))
    .flatMap((s) => s.split(/(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])/))
    .map(detachLeadIn);
}

/** Jaccard similarity of two term sets. */
function overlap(a: Set<string>, b: Set<string>): number {
  let both = 0;
  for (const t of a) if (b.has(t)) both++;
  const union = a.size + b.size - both;
  return union ? both / union : 0;
}

/**
 * Composes the extractive answer. Sources must already be in order of relevance; the first one
 * that has a relevant sentence leads.
 */
export function composeExtractive(question: string, sources: ExtractiveSource[], options: ExtractiveOptions = {}): ExtractiveAnswer {
  const maxPapers = options.maxPapers ?? 3;
  const maxSentences = options.maxSentences ?? 5;
  const questionTerms = contentTerms(question);
  const contextTerms = options.context ? contentTerms(options.context) : [];
  // Rare words say more about what was asked than words every abstract uses ("language", "model").
  const weight = options.idf ?? termIdf(sources);
  const qWeights = new Map<string, number>();
  for (const t of questionTerms) qWeights.set(t, weight(t));
  for (const t of contextTerms) if (!qWeights.has(t)) qWeights.set(t, 0.5 * weight(t));
  const qTotal = [...qWeights.values()].reduce((a, b) => a + b, 0) || 1;

  const perSource: Candidate[][] = sources.map((source) => {
    const sentences = sentencesOf(source.abstract);
    const passages = source.passages ?? [];
    const topPassage = Math.max(0, ...passages.map((p) => p.score));
    return sentences.map((sentence, index) => {
      const terms = termSet(sentence);
      let hit = 0;
      let matched = 0;
      let rare = 0;
      for (const [t, w] of qWeights) {
        if (!terms.has(t)) continue;
        hit += w;
        if (questionTerms.includes(t)) {
          matched++;
          if (weight(t) >= RARE_WEIGHT) rare++;
        }
      }
      let score = hit / qTotal;
      // A sentence from the retriever's best passage of this paper gets a share of its credit.
      const inPassage = passages.find((p) => p.text.includes(sentence.slice(0, 60)));
      if (inPassage && topPassage > 0) score += 0.15 * (inPassage.score / topPassage);
      // Opening sentences are usually background ("LLMs have shown remarkable ability ..."); the contribution sentence summarises best.
      if (index === 0 && sentences.length > 3) score *= 0.8;
      if (/\b(?:we|this (?:paper|work|study))\s+(?:\w+\s+)?(?:propose|present|introduce|develop|show|find|demonstrate)/i.test(sentence)) score += 0.08;
      const words = wordCount(sentence);
      if (words < 6) score *= 0.3;
      else if (words > 60) score *= 0.6;
      if (leansBack(sentence)) score *= 0.75;
      if (options.alreadySaid?.includes(sentence.slice(0, 80).replace(/[.!]$/, ''))) score *= 0.5;
      if (NOT_PROSE.test(sentence) || looksLikeInstruction(sentence) || !/[.!]["'”’)]*$/.test(sentence) || /^[a-z]/.test(sentence) || unbalanced(sentence)) score = 0;
      return { n: source.n, index, sentence, terms, score, matched, rare };
    });
  });

  const chosen: Candidate[] = [];
  const papers: number[] = [];
  const bestScore = Math.max(0, ...perSource.flat().map((c) => c.score));
  if (bestScore < MIN_LEAD) return { text: '', quotes: [] };
  for (const candidates of perSource) {
    if (papers.length >= maxPapers || chosen.length >= maxSentences) break;
    const ranked = candidates.filter((c) => c.score > 0).sort((a, b) => b.score - a.score);
    const best = ranked[0];
    // A paper is cited only when it has a sentence that bears on the question about as well as the best one.
    if (!best || best.score < Math.max(papers.length ? MIN_OTHER : MIN_LEAD, 0.5 * bestScore)) continue;
    // A further paper must share more than one word with a question of several, one of them a rare one.
    if (papers.length && new Set(questionTerms).size >= 3 && (best.matched < 2 || best.rare < 1)) continue;
    const budget = papers.length === 0 ? 2 : 1;
    const picked: Candidate[] = [];
    const usable = (c: Candidate) =>
      !NOT_PROSE.test(c.sentence) && !looksLikeInstruction(c.sentence) && !unbalanced(c.sentence) && /[.!]["'”’)]*$/.test(c.sentence) && !/^[a-z]/.test(c.sentence);
    for (const c of ranked) {
      if (picked.length >= budget || chosen.length + picked.length >= maxSentences) break;
      if (picked.includes(c)) continue;
      if (picked.length > 0 && c.score < 0.6 * best.score) break;
      const key = c.sentence.toLowerCase();
      if ([...chosen, ...picked].some((o) => o.sentence.toLowerCase() === key || overlap(o.terms, c.terms) > 0.7)) continue;
      // A sentence that leans on the one before it ("However, ...") brings that one along, so it never reads as a fragment.
      if (leansBack(c.sentence) && c.index > 0 && !picked.some((p) => p.index === c.index - 1)) {
        const prev = candidates[c.index - 1];
        if (!usable(prev) || leansBack(prev.sentence)) continue;
        picked.push(prev);
      }
      picked.push(c);
    }
    if (!picked.length) continue;
    picked.sort((a, b) => a.index - b.index);
    chosen.push(...picked);
    papers.push(picked[0].n);
  }
  if (!chosen.length) return { text: '', quotes: [] };

  const paragraphs = papers.map((n, i) => {
    const source = sources.find((s) => s.n === n)!;
    const title = `*${escapeMarkdown(source.title)}*`;
    const body = chosen
      .filter((c) => c.n === n)
      // Quotes are corpus text: escaped, so their Markdown (or a "[3]" of their own) is shown, not obeyed.
      .map((c) => withMarker(escapeMarkdown(c.sentence), n))
      .join(' ');
    const lead = i === 0 ? `From ${title}: ` : i === 1 ? `${title} adds: ` : `See also ${title}: `;
    return lead + body;
  });
  return { text: paragraphs.join('\n\n'), quotes: chosen.map((c) => ({ n: c.n, sentence: c.sentence })) };
}
