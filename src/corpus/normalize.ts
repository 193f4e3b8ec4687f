/** Text clean-up, title normalisation, derived titles and links. */
import { createHash } from 'node:crypto';

/** Light clean-up of abstract text: LaTeX citations and escapes, stray whitespace. */
export function cleanText(text: string): string {
  return text
    .replace(/\s*\\cite[tp]?\{[^}]*\}/g, '')
    .replace(/\\href\{([^}]*)\}\{[^}]*\}/g, '$1')
    .replace(/\\(?:textbf|textit|emph|texttt|mathrm|mathbf|text)\{([^}]*)\}/g, '$1')
    .replace(/\$([^$]{1,40})\$/g, '$1')
    .replace(/\\([%&_#$])/g, '$1')
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:])/g, '$1')
    .trim();
}

/** The key two listings of one paper share: lower case, letters and digits only. */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
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
  let title = words.slice(0, MAX_TITLE_WORDS).join(' ').replace(/[,.;:]+$/, '');
  if (words.length > MAX_TITLE_WORDS) title += '…';
  return title.charAt(0).toUpperCase() + title.slice(1);
}

/** An arXiv search link: by title, or for a derived title by the abstract's opening words. */
export function arxivSearchUrl(title: string, abstract: string, titleDerived: boolean): string {
  const query = titleDerived ? abstract.split(/\s+/).slice(0, 12).join(' ') : title;
  const searchtype = titleDerived ? 'abstract' : 'title';
  return `https://arxiv.org/search/?query=${encodeURIComponent(query)}&searchtype=${searchtype}`;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
/** Sentences of a text; abbreviations such as "e.g." and "et al." do not end a sentence. */
export function splitSentences(text: string): string[] {
  const raw = [...segmenter.segment(text)].map((s) => s.segment.trim()).filter(Boolean);
  const out: string[] = [];
  for (const s of raw) {
    const prev = out[out.length - 1];
    if (prev && (/\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Eq|resp)\.$/i.test(prev) || !/[.!?)"'\]]$/.test(prev) || /^[a-z(\d]/.test(s))) {
      out[out.length - 1] = `${prev} ${s}`;
    } else out.push(s);
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
