/** Text clean-up, title normalisation, derived titles and links. */
import { createHash } from 'node:crypto';
import { latexToText } from './latex-to-text.js';

/**
 * The clean-up every title and abstract gets once, at ingest, so that the index, the answers and
 * every display see the same text: LaTeX markup rendered as Unicode (accents, escapes, fonts,
 * inline math; citations and references removed, see `latexToText`), stray whitespace collapsed.
 */
export function cleanText(text: string): string {
  return latexToText(text.replace(/\s+/g, ' '))
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:])/g, '$1')
    .replace(/\s?\(\s*\)|\s?\[\s*\]/g, '')
    .trim();
}

/** Greek letters by name, so "$\pi$-Tuning" (now "π-Tuning") and "Pi-Tuning" share a key. */
const GREEK: Record<string, string> = {
  α: 'alpha',
  β: 'beta',
  γ: 'gamma',
  δ: 'delta',
  ε: 'epsilon',
  ζ: 'zeta',
  η: 'eta',
  θ: 'theta',
  ι: 'iota',
  κ: 'kappa',
  λ: 'lambda',
  μ: 'mu',
  ν: 'nu',
  ξ: 'xi',
  π: 'pi',
  ρ: 'rho',
  σ: 'sigma',
  τ: 'tau',
  υ: 'upsilon',
  φ: 'phi',
  χ: 'chi',
  ψ: 'psi',
  ω: 'omega',
};

/** The key two listings of one paper share: lower case, letters and digits only. */
/** Accents taken off letters ("TÜLU" -> "TULU", "naïve" -> "naive"), so words match however they are typed. */
export function foldAccents(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '');
}

export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[α-ω]/g, (c) => ` ${GREEK[c] ?? ''} `)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function stableId(key: string): string {
  return createHash('sha1').update(key).digest('hex').slice(0, 12);
}

const CONTRIBUTION =
  /\b(?:we|this (?:paper|work|study|article)|our (?:paper|work))\s+(?:first\s+|then\s+|further\s+)?(?:propose|present|introduce|develop|design|study|investigate|examine|explore|analy[sz]e|evaluate|report)s?\s+(.+)/i;
const MAX_TITLE_WORDS = 12;

/**
 * A short readable title for a paper whose source has none, made from its abstract: the object of
 * its contribution sentence ("we propose a LoRA Dropout mechanism ...") when there is one, else
 * its opening words.
 */
export function deriveTitle(abstract: string): string {
  const sentences = splitSentences(abstract);
  let phrase: string | undefined;
  for (const s of sentences) {
    const m = CONTRIBUTION.exec(s);
    if (m) {
      phrase = m[1];
      break;
    }
  }
  phrase ??= sentences[0] ?? abstract;
  // Stop at the first clause boundary so the title reads as a noun phrase.
  phrase = phrase.split(/,\s|;\s|\s(?:by|which|that|where|to address|in order to|via)\s|\.\s|\.$|:\s/)[0] ?? phrase;
  phrase = phrase.replace(/^(?:a|an|the)\s+(?:new|novel)\s+/i, (m) => m.split(/\s+/)[0] + ' ');
  const words = phrase.trim().split(/\s+/);
  let title = words
    .slice(0, MAX_TITLE_WORDS)
    .join(' ')
    .replace(/[,.;:]+$/, '');
  if (words.length > MAX_TITLE_WORDS) title += '…';
  return title.charAt(0).toUpperCase() + title.slice(1);
}

const ARXIV_ID = /^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z]{2})?\/\d{7})(?:v\d+)?$/i;

/** An arXiv id in its bare form ("2404.09610", "hep-th/9901001"), or undefined. */
export function parseArxivId(text: string): string | undefined {
  return ARXIV_ID.exec(text.trim())?.[1];
}

/** The words a search for a paper uses: its title, or for a derived title the abstract's opening words. */
function searchPhrase(title: string, abstract: string, titleDerived: boolean): string {
  return titleDerived ? abstract.split(/\s+/).slice(0, 12).join(' ') : title;
}

/** An arXiv search link: by title, or for a derived title by the abstract's opening words. */
export function arxivSearchUrl(title: string, abstract: string, titleDerived: boolean): string {
  const searchtype = titleDerived ? 'abstract' : 'title';
  return `https://arxiv.org/search/?query=${encodeURIComponent(searchPhrase(title, abstract, titleDerived))}&searchtype=${searchtype}`;
}

/**
 * A Google Scholar search for the exact title (or the abstract's opening words), for papers whose
 * source does not say they are on arXiv: Scholar indexes journals, proceedings and preprint servers
 * alike, so it finds the paper wherever it was published.
 */
export function scholarSearchUrl(title: string, abstract: string, titleDerived: boolean): string {
  return `https://scholar.google.com/scholar?q=${encodeURIComponent(`"${searchPhrase(title, abstract, titleDerived)}"`)}`;
}

/** The search link for a paper with no URL of its own: arXiv only when the source says it is an arXiv paper. */
export function searchUrl(title: string, abstract: string, titleDerived: boolean, fromArxiv: boolean): string {
  return (fromArxiv ? arxivSearchUrl : scholarSearchUrl)(title, abstract, titleDerived);
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * The longest piece of text handed to `Intl.Segmenter` at once, and the longest sentence returned.
 * ICU's segmenter copies its whole input into every segment it yields, so one pass over a
 * 1 MB abstract costs (segments x 1 MB) and ran V8 out of memory; bounded pieces keep the cost
 * linear. Real sentences are far shorter (the seeds' longest is 800 characters).
 */
export const MAX_SENTENCE_CHARS = 2_000;

/** Where to cut `text` at or before `end`: after a sentence end, else at a space, else anywhere. */
function cutBefore(text: string, start: number, end: number): number {
  const piece = text.slice(start, end);
  let best = -1;
  for (const m of piece.matchAll(/[.!?]["')\]]?\s+(?=["'(\[]?[A-Z0-9])/g)) best = m.index + m[0].length;
  if (best > piece.length / 2) return start + best;
  const space = piece.lastIndexOf(' ');
  if (space > piece.length / 2) return start + space + 1;
  // Never split a surrogate pair.
  return /[\uD800-\uDBFF]/.test(text[end - 1] ?? '') ? end - 1 : end;
}

function* pieces(text: string): Generator<string> {
  let start = 0;
  while (text.length - start > MAX_SENTENCE_CHARS) {
    const cut = cutBefore(text, start, start + MAX_SENTENCE_CHARS);
    yield text.slice(start, cut);
    start = cut;
  }
  yield text.slice(start);
}

/**
 * Sentences of a text; abbreviations such as "e.g." and "et al." do not end a sentence. Safe for
 * any input size: time and memory grow linearly, and no sentence is longer than
 * `MAX_SENTENCE_CHARS` (a longer run is cut at a sentence end or a space).
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const piece of pieces(text)) {
    // Only the segment strings are kept: each segment object holds its own copy of the input.
    for (const { segment } of segmenter.segment(piece)) {
      const s = segment.trim();
      if (!s) continue;
      const prev = out[out.length - 1];
      if (
        prev &&
        prev.length + 1 + s.length <= MAX_SENTENCE_CHARS &&
        (/\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Eq|resp)\.$/i.test(prev) || !/[.!?)"'\]]$/.test(prev) || /^[a-z(\d]/.test(s))
      ) {
        out[out.length - 1] = `${prev} ${s}`;
      } else out.push(s);
    }
  }
  return out;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** YYYY-MM-DD for dates with a year ("May 23, 2023", "2024-05-01"); undefined otherwise. */
export function isoDate(date: string | undefined): string | undefined {
  if (!date) return undefined;
  const iso = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(date);
  if (iso) return `${iso[1]}-${iso[2]}-${iso[3] ?? '01'}`;
  const year = /^(\d{4})$/.exec(date.trim());
  if (year) return `${year[1]}-01-01`;
  const m = /^([A-Za-z]{3})[a-z]*\.? (\d{1,2}), (\d{4})$/.exec(date.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1].toLowerCase());
  if (month < 0) return undefined;
  return `${m[3]}-${String(month + 1).padStart(2, '0')}-${m[2].padStart(2, '0')}`;
}
