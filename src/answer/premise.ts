/**
 * Checks of a question's premise against the paper it is about, for questions that presuppose a
 * claim ("why does X hurt Y?"): an absolute ("always", "only") the best paper does not make; a
 * word the paper's closest passage negates ("needs an auxiliary model" against "requires no
 * auxiliary models"); a direction the paper reports the opposite of ("hurts" against
 * "improves"); a version the paper names only differently ("Llama 2" against "Llama 3.1").
 * They are explicit rules, not fitted weights: each names the sentence that contradicts the
 * question, which the decline can quote.
 */
import { splitSentences } from '../corpus/normalize.js';
import { contentTerms, wordStem } from './terms.js';

/** Absolutes a presupposed claim may make. */
export const ABSOLUTE = /\b(always|only|every|never|all|any longer|no longer|immune)\b/i;

/** A question that presupposes its claim ("why does X hurt Y?"), so the claim itself must hold. */
const PRESUPPOSES = /\b(?:why|how come)\b/i;

/** Words that negate the few words after them, up to a comma or a contrast. */
const NEGATORS = new Set(['no', 'not', 'without', 'never', 'neither', 'nor', 'cannot', 'lack', 'lacks', 'lacking', 'none', 'unable']);
const CLAUSE_END = new Set([',', ';', ':', '(', ')', 'but', 'however', 'whereas', 'while', 'although', 'yet', 'instead', 'rather']);
const NEGATION_SPAN = 3;

/**
 * Pairs of opposite directions, in plain English: a premise with a word of one side and a paper
 * that uses only words of the other side contradict each other. Matched by stem.
 */
const OPPOSITES: [string[], string[]][] = [
  [
    ['more', 'higher', 'greater', 'increase', 'improve', 'improvement', 'enhance', 'boost', 'better', 'gain', 'help', 'benefit', 'outperform', 'strengthen'],
    ['less', 'fewer', 'lower', 'decrease', 'worse', 'worsen', 'hurt', 'harm', 'degrade', 'degradation', 'decline', 'drop', 'impair', 'weaken', 'underperform'],
  ],
  [
    ['faster', 'quicker', 'sooner', 'accelerate', 'speedup'],
    ['slower', 'slow', 'slowdown', 'delay', 'decelerate'],
  ],
  [
    ['tiny', 'small', 'smaller', 'smallest', 'little', 'toy', 'miniature'],
    ['large', 'larger', 'largest', 'big', 'bigger', 'biggest', 'huge', 'massive', 'giant'],
  ],
  [
    ['easy', 'easier', 'easily', 'effortless', 'trivial'],
    ['hard', 'harder', 'difficult', 'difficulty', 'struggle', 'challenging'],
  ],
];
const DIRECTION = (() => {
  const side = new Map<string, { pair: number; side: 0 | 1 }>();
  OPPOSITES.forEach(([a, b], pair) => {
    for (const w of a) side.set(wordStem(w), { pair, side: 0 });
    for (const w of b) side.set(wordStem(w), { pair, side: 1 });
  });
  return side;
})();

interface Reading {
  /** Stemmed content terms that occur at least once outside a negation. */
  positive: Set<string>;
  /** Stemmed content terms that occur negated ("no X", "not ... X", "X-free"). */
  negated: Set<string>;
  /** A word as written, by its stem. */
  surface: Map<string, string>;
  /** Direction words used, as "pair:side" keys, with the word. */
  directions: Map<string, string>;
}

/** Which terms a text asserts, which it negates, and which directions it speaks of. */
function read(text: string): Reading {
  const tokens = text.toLowerCase().match(/[a-z0-9]+(?:['’-][a-z0-9]+)*|[,;:()]/g) ?? [];
  const positive = new Set<string>();
  const negated = new Set<string>();
  const directions = new Map<string, string>();
  const surface = new Map<string, string>();
  let negatedFor = 0;
  for (const token of tokens) {
    if (CLAUSE_END.has(token)) {
      negatedFor = 0;
      continue;
    }
    if (NEGATORS.has(token) || /n['’]t$/.test(token)) {
      negatedFor = NEGATION_SPAN;
      continue;
    }
    // "exemplar-free", "rehearsal-free": the parts before "free" are what is absent.
    const free = /^(.+)-free$/.exec(token);
    const terms = free ? contentTerms(free[1]) : contentTerms(token);
    for (const t of terms) {
      (free || negatedFor > 0 ? negated : positive).add(t);
      if (!surface.has(t)) surface.set(t, free ? free[1] : token);
    }
    for (const part of token.split('-')) {
      const d = DIRECTION.get(wordStem(part));
      if (d && !(negatedFor > 0)) directions.set(`${d.pair}:${d.side}`, part);
    }
    if (negatedFor > 0) negatedFor--;
  }
  return { positive, negated, directions, surface };
}

/**
 * Whether `paper` contradicts the premise of `question` (a "why" question). A word the question
 * asserts is denied when the passage that best matches the question among those using the word
 * negates it ("requires no auxiliary models", "exemplar-free", "are not detectable"). A direction
 * the question asserts ("hurts", "faster", "tiny") is contradicted when the paper never speaks of
 * it but a passage sharing the question's words speaks of the opposite ("improves", "slower").
 */
export function contradiction(question: string, paper: string, idf: (t: string) => number): string | undefined {
  const claim = read(question);
  const asserted = [...claim.positive].filter((t) => !claim.negated.has(t));
  if (!asserted.length) return undefined;
  const sentences = splitSentences(paper).map((sentence) => {
    const reading = read(sentence);
    const shared = asserted.filter((t) => reading.positive.has(t) || reading.negated.has(t));
    return { sentence, reading, shared, weight: shared.reduce((s, t) => s + idf(t), 0) };
  });
  for (const t of asserted) {
    let denied: (typeof sentences)[number] | undefined;
    let said = 0;
    for (const s of sentences) {
      // A passage speaks to the question only when it shares more than the word itself.
      if (s.shared.length < 2) continue;
      if (s.reading.positive.has(t)) said = Math.max(said, s.weight);
      else if (s.reading.negated.has(t) && s.weight > (denied?.weight ?? 0)) denied = s;
    }
    if (denied && denied.weight > said) return `the best paper's closest passage says the opposite about "${claim.surface.get(t) ?? t}": "${denied.sentence}"`;
  }
  const whole = read(paper);
  for (const [key, word] of claim.directions) {
    const [pair, side] = key.split(':');
    const opposite = `${pair}:${side === '0' ? 1 : 0}`;
    if (whole.directions.has(key)) continue;
    const against = sentences.find((s) => s.shared.length >= 2 && s.reading.directions.has(opposite));
    if (against) return `the best paper says "${against.reading.directions.get(opposite)}", not "${word}"`;
  }
  return undefined;
}

/** "Llama 2", "GPT-4", "Qwen 2.5": a capitalised name and a short version number, not a size ("7B"). */
const VERSIONED = /(?<![\p{L}\d])(\p{Lu}[\p{L}]*)[ -]?(\d{1,2}(?:\.\d{1,2})?)(?![\p{L}\d%.])/gu;

function versionsIn(text: string): Map<string, { name: string; versions: Set<string> }> {
  const out = new Map<string, { name: string; versions: Set<string> }>();
  for (const m of text.matchAll(VERSIONED)) {
    const key = m[1].toLowerCase();
    if (!out.has(key)) out.set(key, { name: m[1], versions: new Set() });
    out.get(key)!.versions.add(m[2]);
  }
  return out;
}

/** A version the question names that the paper, naming the same thing, never does ("Llama 3.1" covers "Llama 3"). */
export function versionMismatch(question: string, paper: string): string | undefined {
  const inPaper = versionsIn(paper);
  for (const [key, { name, versions }] of versionsIn(question)) {
    const known = inPaper.get(key)?.versions;
    if (!known) continue;
    for (const v of versions) {
      if (![...known].some((k) => k === v || k.startsWith(`${v}.`))) return `${name} ${v}`;
    }
  }
  return undefined;
}

/** A "why" question's absolute ("always", "only") that `paperText` does not say, or undefined. */
export function unsupportedAbsolute(question: string, paperText: string): string | undefined {
  const absolute = ABSOLUTE.exec(question);
  if (!absolute || !PRESUPPOSES.test(question)) return undefined;
  // "does not always help" does not support "always helps".
  const said = new RegExp(`(?<!\\b(?:not|n't|never)\\s+(?:\\w+\\s+)?)\\b${absolute[1]}\\b`, 'i');
  return said.test(paperText) ? undefined : absolute[1].toLowerCase();
}

/** What is wrong with a question's premise, read against its best paper, or undefined when nothing is. */
export function premiseProblem(question: string, paperText: string, idf: (t: string) => number): { kind: 'absolute' | 'version' | 'contradiction'; detail: string } | undefined {
  const absolute = unsupportedAbsolute(question, paperText);
  if (absolute) return { kind: 'absolute', detail: absolute };
  const version = versionMismatch(question, paperText);
  if (version) return { kind: 'version', detail: version };
  const contradicted = PRESUPPOSES.test(question) ? contradiction(question, paperText, idf) : undefined;
  if (contradicted) return { kind: 'contradiction', detail: contradicted };
  return undefined;
}
