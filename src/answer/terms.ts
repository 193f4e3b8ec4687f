/** Content words of questions and abstracts, stemmed, for overlap scores the answerer computes itself. */
import { stemmer } from 'stemmer';
import { foldAccents } from '../corpus/normalize.js';

const STOPWORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by can ' +
    'could did do does doing done down during each either else ever few for from further had has have having he her here hers him his ' +
    'how i if in into is it its itself just least less let like many may me might more most much must my neither no nor not now of ' +
    'off on once one only or other others our ours out over own per perhaps rather same shall she should since so some such than that ' +
    'the their theirs them themselves then there these they this those though through thus to too under until up upon us use used ' +
    'uses using very via was we were what whatever when where whether which while who whom whose why will with within without would ' +
    'yet you your yours ' +
    // Question and request words carry no topic.
    'tell explain describe show give list find know want please paper papers work works study studies research researchers approach ' +
    'approaches method methods propose proposed proposes anyone someone something thing things way ways kind kinds say says said ' +
    'one ones someone anything everything nothing collection corpus exist exists existing there any recent new novel main key different various example examples'
  ).split(/\s+/),
);

/** Lower-cased word tokens (letters without accents, digits, inner hyphens and apostrophes). */
export function words(text: string): string[] {
  return (
    foldAccents(text)
      .toLowerCase()
      .match(/[a-z0-9]+(?:['’-][a-z0-9]+)*/g) ?? []
  );
}

/** Words whose -ise is American too (advise, promise, raise), by what comes before "ise". */
const ISE_STEMS = new Set(
  (
    'adv compr comprom desp dev disgu enterpr exerc expert franch improv merchand prec prem prom rev superv surpr telev conc no pra ' +
    'ra w otherw likew ar r po appr exc dem parad treat bru cru inc circumc clockw anticlockw upr sunr'
  ).split(' '),
);

/** American spelling for British -ise/-isation and -our words, so "specialised" meets "specialized". */
function americanSpelling(word: string): string {
  const ise = /^(\w{2,}?)is(e|ed|es|ing|ation|ations|er|ers)$/.exec(word);
  if (ise && !ISE_STEMS.has(ise[1])) return `${ise[1]}iz${ise[2]}`;
  const folded = word.replace(/([bhlmvi])our(s|ed|ing|ite|ites|able)?$/, '$1or$2');
  // Words whose -our is American too ("hour", "four") get it back; "for" itself must stay "for".
  return folded === word ? word : folded.replace(/^(h|arm|sav|fl|neighb|rum|hum|p|s|t|y|f|c|j|d)or(s)?$/, '$1our$2');
}

/** The stem of one lower-cased word, British spellings folded. */
export function wordStem(word: string): string {
  return stemmer(americanSpelling(word.toLowerCase()));
}

/** The stemmed content words of a text, in order, duplicates kept. */
export function contentTerms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    // Hyphenated words count both as a whole and by their parts ("fine-tuning" ~ "fine tuning").
    const parts = w.includes('-') ? [w.replace(/-/g, ''), ...w.split('-')] : [w];
    for (const p of parts) {
      const clean = americanSpelling(p.replace(/['’]s$/, ''));
      if (clean.length < 2 || STOPWORDS.has(clean) || /^\d+$/.test(clean)) continue;
      const stem = stemmer(clean);
      // Stemming can turn a content word into a stopword ("ones" -> "on").
      if (!STOPWORDS.has(stem)) out.push(stem);
    }
  }
  return out;
}

/** The distinct stemmed content words of a text. */
export function termSet(text: string): Set<string> {
  return new Set(contentTerms(text));
}
