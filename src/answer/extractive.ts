/**
 * The offline answerer: picks the sentences of the top papers' abstracts that best answer the
 * question and strings them together, grouped by paper, most relevant paper first, with `[n]`
 * after each. Its only own words are short connectives, so everything it states is quoted.
 */
import { splitSentences } from '../corpus/normalize.js';
import { asksForFigure, asksWhatItIs, countedThing } from './question-shape.js';
import { hasFigure, sentenceRole, type SentenceRole } from './sentence-role.js';
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
  /** What the question leans towards beyond its words; `figure` is read from the question when not given. */
  focus?: Focus;
  /** Role and figure weights (default `ANSWER_WEIGHTS`; the fitting script tries others). */
  weights?: AnswerWeights;
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
const LEANS_BACK =
  /^(?:however|moreover|furthermore|additionally|in addition|also|thus|therefore|hence|consequently|besides|nevertheless|then|finally|second(?:ly)?|third(?:ly)?|lastly|specifically|notably|interestingly|further|subsequently|in contrast|in particular|in this (?:case|setting|context)|for (?:example|instance)|on the other hand|as a result|to this end|to address (?:this|these)|this|these|those|they|it|its|such|both)\b/i;
/** "Despite these advancements, ...", "Based on this, ...": a demonstrative early on points at the sentence before ("In this paper" does not). */
const POINTS_BACK =
  /^(?:[\w-]+[ ,]+){0,3}(?:these|those|such)\b|^(?:[\w-]+[ ,]+){1,3}this\b(?!\s+(?:paper|work|study|article|survey|letter|research|thesis|report|position|chapter|tutorial))/i;

/** True when a sentence cannot stand on its own without the one before it. */
function leansBack(sentence: string): boolean {
  return LEANS_BACK.test(sentence) || POINTS_BACK.test(sentence);
}

const NOT_PROSE = /\$|\\[a-z]+\{|\\["'`^~]|https?:\/\/|this https URL|\bcode (?:and data )?(?:is|are|will be) (?:publicly )?(?:available|released)|github\.com/i;
const INSTRUCTION_LIKE =
  /\b(?:ignore|disregard|forget)\b[^.]{0,40}\b(?:previous|prior|above|earlier|all)\b[^.]{0,20}\binstructions?\b|\b(?:you are now|system prompt|as an ai (?:language )?model)\b/i;

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

/** Text shown verbatim inside the answer's Markdown (titles, topic labels). */
export function escapeMarkdown(text: string): string {
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
  /^(?:to (?:address|tackle|solve|overcome|mitigate|bridge|fill|alleviate|remedy|handle|close) (?:this|these|those|such|the above|both)(?: [\w-]+){0,3}|to this end|in response|motivated by (?:this|these)(?: [\w-]+){0,3}|inspired by (?:this|these)(?: [\w-]+){0,3}|based on (?:this|these)(?: [\w-]+){0,3}|for (?:example|instance)|specifically|notably|in particular|moreover|furthermore|additionally|in addition|finally|overall|in summary|importantly|crucially|interestingly|first(?:ly)?|second(?:ly)?|third(?:ly)?|lastly|as a result|consequently|thus|therefore|hence),\s+(?=[a-z])/i;

/**
 * "To address this limitation, we introduce X" reads as a fragment alone, but its main clause does
 * not: the lead-in is dropped ("We introduce X"). Connectives that only add or exemplify ("For
 * example, MIGU brings ...", "Furthermore, we ...") go too; contrasts ("However, ...") stay, as they
 * carry meaning. Only that opening is changed.
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
    .map((s) => detachLeadIn(withoutLinks(s)));
}

/**
 * A sentence without its links ("... as open-source: https://github.com/x/y."): the rest can be
 * quoted ("we release CodeGen2 in sizes 1B to 16B"), and an answer never shows a link from an abstract.
 */
function withoutLinks(sentence: string): string {
  const link = String.raw`(?:(?:https?:\/\/|www\.)[^\s()]*?|this https? URL)`;
  // Only a link the sentence hands over at its end ("...: URL.") or in brackets: "Code is at URL." stays whole (and unquoted).
  return sentence.replace(new RegExp(String.raw`\s*[:,]\s*${link}(?=[.!]*$)|\s*\(\s*${link}\s*\)`, 'gi'), '');
}

/** Jaccard similarity of two term sets. */
function overlap(a: Set<string>, b: Set<string>): number {
  let both = 0;
  for (const t of a) if (b.has(t)) both++;
  const union = a.size + b.size - both;
  return union ? both / union : 0;
}

/**
 * How much a sentence's role and figures count, on top of how well it matches the question (each
 * multiplies the match: a set-up sentence that matches as well as a finding loses to it). Fitted
 * on the tuning questions' key facts with `npx tsx src/measure/fit-answer-weights.ts`.
 */
export interface AnswerWeights {
  finding: number;
  method: number;
  /** Negative: set-up sentences give way. */
  setup: number;
  /** Added to a sentence with a figure when the question asks for one. */
  figure: number;
  /** Most sentences quoted from the first paper (the others get one each). */
  lead: number;
  /**
   * A further paper is quoted only when its title and abstract hold at least this share of what the
   * first paper holds of the question (words weighted by rarity): a paper that shares two loose
   * words with the question ("real", "datasets") is noise next to the one that answers it.
   */
  further: number;
}

/**
 * Fitted on the 117 tuning questions with key facts (questions.json and discord-questions.json,
 * `tune` parts): 42.2% of their facts stated and 70.1% of cited papers labelled relevant, against
 * 43.0% and 48.4% with no threshold for further papers, and 32.8% of facts with no role or figure
 * weight and the same three sentences from the first paper. Neighbouring settings score within a
 * point.
 */
export const ANSWER_WEIGHTS: AnswerWeights = { finding: 0.7, method: 0, setup: -0.6, figure: 0.5, lead: 3, further: 0.7 };

interface Scored extends Candidate {
  role: SentenceRole;
  figure: boolean;
}

/** What a question leans towards beyond its words. */
export interface Focus {
  /** The question asks for a number: sentences with figures rank higher and go first. */
  figure?: boolean;
  /** A follow-up asking for results ("what about its results?"): findings and figures are wanted whatever their words. */
  results?: boolean;
  /** "what does X do?": the sentence saying what the method is answers as much as a finding. */
  method?: boolean;
  /** The stemmed word a figure question counts ("parameter"): a sentence giving that figure answers as much as a finding, set-up or not. */
  counted?: string[];
}

/** How much a sentence of the first paper counts for each share of the question its title holds. */
const TITLE_CREDIT = 0.5;

/** Scores every sentence of every source against the question. */
function scoreSentences(question: string, sources: ExtractiveSource[], options: ExtractiveOptions & { focus?: Focus }): { perSource: Scored[][]; questionTerms: string[] } {
  const weights = options.weights ?? ANSWER_WEIGHTS;
  const focus = options.focus ?? {};
  const questionTerms = contentTerms(question);
  const contextTerms = options.context ? contentTerms(options.context) : [];
  // Rare words say more about what was asked than words every abstract uses ("language", "model").
  const weight = options.idf ?? termIdf(sources);
  const qWeights = new Map<string, number>();
  for (const t of questionTerms) qWeights.set(t, weight(t));
  for (const t of contextTerms) if (!qWeights.has(t)) qWeights.set(t, 0.5 * weight(t));
  const qTotal = [...qWeights.values()].reduce((a, b) => a + b, 0) || 1;

  const perSource = sources.map((source, i) => {
    const analysed = analyse(source.abstract);
    const passages = source.passages ?? [];
    const topPassage = Math.max(0, ...passages.map((p) => p.score));
    // A question naming the retriever's first paper by its title ("codegen2?") is about all of it:
    // each of its sentences bears on the question by the share of the question its title holds.
    const titleTerms = i === 0 ? termSet(source.title) : undefined;
    const titleShare = titleTerms ? questionTerms.filter((t) => titleTerms.has(t)).reduce((a, t) => a + (qWeights.get(t) ?? 0), 0) / qTotal : 0;
    return analysed.map(({ sentence, terms, role, figure, usable: quotable, words }, index): Scored => {
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
      let score = Math.max(hit / qTotal, TITLE_CREDIT * titleShare);
      // A sentence from the retriever's best passage of this paper gets a share of its credit.
      const inPassage = passages.find((p) => p.text.includes(sentence.slice(0, 60)));
      if (inPassage && topPassage > 0) score += 0.15 * (inPassage.score / topPassage);
      // Findings and methods answer; set-up sentences ("LLMs have shown ...") only lead up to them.
      // "we present X, a 208 million parameter model" is set-up, but it is the answer to "how many parameters".
      const asked = figure && focus.counted?.some((t) => terms.has(t)) ? 'finding' : role;
      score *=
        1 +
        (asked === 'finding'
          ? weights.finding
          : asked === 'method'
            ? focus.method
              ? Math.max(weights.method, weights.finding)
              : weights.method
            : asked === 'setup'
              ? weights.setup
              : 0);
      if (focus.figure && figure && hit > 0) score += weights.figure;
      if (focus.results) score += (role === 'finding' ? 0.25 : 0) + (figure ? 0.15 : 0);
      if (words < 6) score *= 0.3;
      else if (words > 60) score *= 0.6;
      if (leansBack(sentence)) score *= 0.75;
      if (options.alreadySaid?.includes(sentence.slice(0, 80).replace(/[.!]$/, ''))) score *= 0.5;
      if (!quotable) score = 0;
      return { n: source.n, index, sentence, terms, score, matched, rare, role: asked, figure };
    });
  });
  return { perSource, questionTerms };
}

/** What is known of a sentence whatever the question: its words, role, figure and whether it can be quoted. */
interface Analysed {
  sentence: string;
  terms: Set<string>;
  role: SentenceRole;
  figure: boolean;
  usable: boolean;
  words: number;
}

/** Abstracts already split and read, so that the papers most questions touch are read once, not per question. */
const analysedAbstracts = new Map<string, Analysed[]>();
const ANALYSED_KEPT = 5_000;

/** The sentences of an abstract with what the composer needs of each, from the cache when read before. */
function analyse(abstract: string): Analysed[] {
  let out = analysedAbstracts.get(abstract);
  if (out) return out;
  const sentences = sentencesOf(abstract);
  out = sentences.map((sentence, index) => ({
    sentence,
    terms: termSet(sentence),
    role: sentenceRole(sentence, index, sentences.length),
    figure: hasFigure(sentence),
    usable: usable(sentence),
    words: wordCount(sentence),
  }));
  // A plain bound: past it the cache starts over, which a large collection's long tail of papers may cause now and then.
  if (analysedAbstracts.size >= ANALYSED_KEPT) analysedAbstracts.clear();
  analysedAbstracts.set(abstract, out);
  return out;
}

/** A sentence that can be quoted alone: prose, whole, not addressed to the model. */
function usable(sentence: string): boolean {
  return !NOT_PROSE.test(sentence) && !looksLikeInstruction(sentence) && !unbalanced(sentence) && /[.!]["'”’)]*$/.test(sentence) && !/^[a-z]/.test(sentence);
}

/**
 * The order a paper's quoted sentences are shown in: with a figure first when the question asks
 * for one, what the method is first when it asks what something does, findings and methods before set-up, then best first. A sentence brought along by the
 * one after it ("However, ...") stays just before it.
 */
function answerOrder(units: Scored[][], focus: Focus): Scored[] {
  const main = (u: Scored[]) => u[u.length - 1];
  const key = (u: Scored[]) => [
    focus.figure || focus.results ? (u.some((c) => c.figure) ? 0 : 1) : 0,
    focus.method && main(u).role !== 'method' ? 1 : 0,
    main(u).role === 'setup' ? 1 : 0,
    -Math.max(...u.map((c) => c.score)),
  ];
  return [...units]
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
      return 0;
    })
    .flat();
}

/**
 * Composes the extractive answer. Sources must already be in order of relevance; the first one
 * that has a relevant sentence leads, and within each paper findings and methods come before
 * set-up sentences.
 */
export function composeExtractive(question: string, sources: ExtractiveSource[], options: ExtractiveOptions = {}): ExtractiveAnswer {
  const maxPapers = options.maxPapers ?? 3;
  const maxSentences = options.maxSentences ?? 5;
  const counted = countedThing(question);
  const focus: Focus = { figure: asksForFigure(question), method: asksWhatItIs(question), ...(counted ? { counted: contentTerms(counted) } : {}), ...options.focus };
  const { perSource, questionTerms } = scoreSentences(question, sources, { ...options, focus });

  const chosen: Scored[] = [];
  const papers: number[] = [];
  const bestScore = Math.max(0, ...perSource.flat().map((c) => c.score));
  if (bestScore < MIN_LEAD) return { text: '', quotes: [] };
  const weights = options.weights ?? ANSWER_WEIGHTS;
  const weight = options.idf ?? termIdf(sources);
  let leadMatch = 0;
  for (const [i, candidates] of perSource.entries()) {
    if (papers.length >= maxPapers || chosen.length >= maxSentences) break;
    const ranked = candidates.filter((c) => c.score > 0).sort((a, b) => b.score - a.score);
    const best = ranked[0];
    // A paper is cited only when it has a sentence that bears on the question about as well as the best one;
    // the retriever's first paper only needs one that bears on it at all (its sentences may all be set-up, weighted down).
    if (!best || best.score < Math.max(papers.length ? MIN_OTHER : MIN_LEAD, i === 0 ? 0 : 0.5 * bestScore)) continue;
    // A further paper must share more than one word with a question of several, one of them a rare one.
    if (papers.length && new Set(questionTerms).size >= 3 && (best.matched < 2 || best.rare < 1)) continue;
    const match = paperMatch(questionTerms, sources[i], weight);
    if (papers.length && match < weights.further * leadMatch) continue;
    const budget = papers.length === 0 ? weights.lead : 1;
    const units: Scored[][] = [];
    const count = () => units.reduce((n, u) => n + u.length, 0);
    for (const c of ranked) {
      if (count() >= budget || chosen.length + count() >= maxSentences) break;
      if (units.some((u) => u.includes(c))) continue;
      if (count() > 0 && c.score < 0.6 * best.score) break;
      const key = c.sentence.toLowerCase();
      if ([...chosen, ...units.flat()].some((o) => o.sentence.toLowerCase() === key || overlap(o.terms, c.terms) > 0.7)) continue;
      // A sentence that leans on the one before it ("However, ...") brings that one along, so it never reads as a fragment.
      // The figure a question asks for may open the answer alone when it only says "it": after "From *Title*: ", "it" is the paper's method.
      const figureFirst = focus.figure && c.figure && !chosen.length && !units.length && /^(?:it|they)\b/i.test(c.sentence);
      if (!figureFirst && leansBack(c.sentence) && c.index > 0 && !units.some((u) => u.some((p) => p.index === c.index - 1))) {
        const prev = candidates[c.index - 1];
        if (!usable(prev.sentence) || leansBack(prev.sentence)) continue;
        units.push([prev, c]);
      } else units.push([c]);
    }
    if (!units.length) continue;
    chosen.push(...answerOrder(units, focus));
    if (!papers.length) leadMatch = match;
    papers.push(units[0][0].n);
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

/** The words of papers' titles and abstracts, read once. */
const paperTerms = new Map<string, Set<string>>();

/** Share of the question's weight a paper's title and abstract hold, by the same rarity weights. */
function paperMatch(questionTerms: string[], source: ExtractiveSource, weight: (t: string) => number): number {
  const unique = [...new Set(questionTerms)];
  const total = unique.reduce((s, t) => s + weight(t), 0);
  if (!total) return 0;
  const key = `${source.title}\u0000${source.abstract}`;
  let terms = paperTerms.get(key);
  if (!terms) {
    if (paperTerms.size >= ANALYSED_KEPT) paperTerms.clear();
    paperTerms.set(key, (terms = termSet(`${source.title} ${source.abstract}`)));
  }
  return unique.filter((t) => terms.has(t)).reduce((s, t) => s + weight(t), 0) / total;
}

/** One line per paper, for lists and overviews. */
export interface PaperLine {
  n: number;
  title: string;
  /** The quoted sentence, or '' when the paper has none that can stand alone (the title says it then). */
  sentence: string;
  /** Share of the question's weight the paper holds. */
  match: number;
}

/** Sentences longer than this read as more than "one line"; up to the second length when no shorter one fits. */
const LINE_WORDS = 32;
const LONG_LINE_WORDS = 45;

/**
 * Each source's one-line contribution: its sentence that best says what it proposes or finds
 * about the question, short enough to read as one line. What a paper proposes ("We present Bird,
 * a big benchmark ...") says best what it contributes, so method sentences are preferred.
 */
export function paperLines(question: string, sources: ExtractiveSource[], options: ExtractiveOptions = {}): PaperLine[] {
  const weight = options.idf ?? termIdf(sources);
  const { perSource, questionTerms } = scoreSentences(question, sources, options);
  return sources.map((source, i) => {
    const best = perSource[i]
      .filter((c) => usable(c.sentence) && !leansBack(c.sentence) && wordCount(c.sentence) <= LONG_LINE_WORDS && c.role !== 'setup')
      .map((c) => ({ c, s: (c.role === 'method' ? 1.5 * c.score + 0.1 : c.score) * (wordCount(c.sentence) <= LINE_WORDS ? 1 : 0.7) }))
      .sort((a, b) => b.s - a.s)[0]?.c;
    return { n: source.n, title: source.title, sentence: best?.sentence ?? '', match: paperMatch(questionTerms, source, weight) };
  });
}

/** A line of a list: "• *Title*: sentence [n]." */
export function formatPaperLine(line: PaperLine): string {
  const title = `*${escapeMarkdown(line.title)}*`;
  return line.sentence ? `• ${title}: ${withMarker(line.sentence, line.n)}` : `• ${title} [${line.n}]`;
}

/** Share of the best paper's match a paper must reach to be listed. */
const LIST_MIN_RELATIVE = 0.75;

/**
 * The answer to a "which papers ..." question: one line per paper that bears on it, each cited,
 * in the sources' order. Papers holding much less of the question than the best one are left out.
 */
export function composeList(question: string, sources: ExtractiveSource[], options: ExtractiveOptions & { maxItems?: number } = {}): ExtractiveAnswer {
  const lines = paperLines(question, sources, options);
  const best = Math.max(0, ...lines.map((l) => l.match));
  if (best < MIN_OTHER) return { text: '', quotes: [] };
  const kept = lines.filter((l) => l.match >= LIST_MIN_RELATIVE * best && l.sentence).slice(0, options.maxItems ?? 6);
  if (kept.length < 2) return { text: '', quotes: [] };
  const intro = `${kept.length} papers here bear on this:`;
  return { text: [intro, ...kept.map(formatPaperLine)].join('\n'), quotes: kept.map((l) => ({ n: l.n, sentence: l.sentence })) };
}
