/**
 * LaTeX markup in abstracts and titles (arXiv listings keep the authors' source) rendered as plain
 * Unicode text: accents (`T\"ULU` -> TÜLU), escapes (`54.6\%`), font commands (`\textbf{MIGU}`),
 * citations and references removed, and inline math kept readable (`$\mathcal{O}(n^2)$` -> O(n^2)).
 * Every pattern is bounded or linear, so hostile input cannot make it slow.
 */

/** Accent commands and the combining mark each one puts on its letter. */
const ACCENTS: Record<string, string> = {
  '"': '\u0308',
  "'": '\u0301',
  '`': '\u0300',
  '^': '\u0302',
  '~': '\u0303',
  '=': '\u0304',
  '.': '\u0307',
  u: '\u0306',
  v: '\u030c',
  H: '\u030b',
  c: '\u0327',
  k: '\u0328',
  r: '\u030a',
  d: '\u0323',
  b: '\u0331',
};

/** Letters LaTeX spells as commands. */
const LETTERS: Record<string, string> = { ss: 'ß', o: 'ø', O: 'Ø', aa: 'å', AA: 'Å', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ', l: 'ł', L: 'Ł', i: 'i', j: 'j' };

/** Math and text symbols, as the reader would write them in plain text. */
const SYMBOLS: Record<string, string> = {
  alpha: 'α',
  beta: 'β',
  gamma: 'γ',
  delta: 'δ',
  epsilon: 'ε',
  varepsilon: 'ε',
  zeta: 'ζ',
  eta: 'η',
  theta: 'θ',
  vartheta: 'θ',
  iota: 'ι',
  kappa: 'κ',
  lambda: 'λ',
  mu: 'μ',
  nu: 'ν',
  xi: 'ξ',
  pi: 'π',
  rho: 'ρ',
  sigma: 'σ',
  tau: 'τ',
  upsilon: 'υ',
  phi: 'φ',
  varphi: 'φ',
  chi: 'χ',
  psi: 'ψ',
  omega: 'ω',
  Gamma: 'Γ',
  Delta: 'Δ',
  Theta: 'Θ',
  Lambda: 'Λ',
  Xi: 'Ξ',
  Pi: 'Π',
  Sigma: 'Σ',
  Upsilon: 'Υ',
  Phi: 'Φ',
  Psi: 'Ψ',
  Omega: 'Ω',
  times: '×',
  cdot: '·',
  div: '÷',
  pm: '±',
  mp: '∓',
  leq: '≤',
  le: '≤',
  geq: '≥',
  ge: '≥',
  neq: '≠',
  ne: '≠',
  approx: '≈',
  sim: '~',
  simeq: '≃',
  equiv: '≡',
  propto: '∝',
  ll: '≪',
  gg: '≫',
  infty: '∞',
  partial: '∂',
  nabla: '∇',
  sum: 'Σ',
  prod: 'Π',
  int: '∫',
  in: '∈',
  notin: '∉',
  subset: '⊂',
  subseteq: '⊆',
  cup: '∪',
  cap: '∩',
  forall: '∀',
  exists: '∃',
  emptyset: '∅',
  to: '→',
  rightarrow: '→',
  leftarrow: '←',
  Rightarrow: '⇒',
  Leftarrow: '⇐',
  leftrightarrow: '↔',
  mapsto: '↦',
  uparrow: '↑',
  downarrow: '↓',
  circ: '∘',
  ell: 'ℓ',
  ldots: '…',
  cdots: '⋯',
  dots: '…',
  top: '⊤',
  star: '⋆',
  ast: '*',
  prime: '′',
  mid: '|',
  vert: '|',
  langle: '⟨',
  rangle: '⟩',
  lfloor: '⌊',
  rfloor: '⌋',
  lceil: '⌈',
  rceil: '⌉',
  dagger: '†',
  log: 'log',
  exp: 'exp',
  min: 'min',
  max: 'max',
  arg: 'arg',
  sin: 'sin',
  cos: 'cos',
  tanh: 'tanh',
  det: 'det',
  lim: 'lim',
  sup: 'sup',
  inf: 'inf',
  Pr: 'Pr',
  textendash: '–',
  textemdash: '—',
  textasciitilde: '~',
  S: '§',
  P: '¶',
  copyright: '©',
  quad: ' ',
  qquad: ' ',
  LaTeX: 'LaTeX',
  TeX: 'TeX',
};

/** Commands whose argument is the text to keep (fonts, boxes, operator names). */
const KEEP_ARGUMENT =
  'textbf|textit|textsc|texttt|textrm|textsf|textup|textnormal|textmd|textsl|text|emph|underline|uline|mbox|hbox|' +
  'mathrm|mathbf|mathit|mathsf|mathtt|mathcal|mathbb|mathfrak|mathscr|mathnormal|boldsymbol|bm|operatorname|overline|widetilde|widehat|tilde|hat|bar|vec';
/** Font commands that still read as markup when their backslash was lost on the way (`mathcal{O}`). */
const BARE_FONT = 'math(?:rm|bf|it|sf|tt|cal|bb|frak|scr)|text(?:bf|it|sc|tt|rm|sf)';
/** Commands whose argument is dropped with them: citations, references, labels. */
const DROP = 'cite[a-zA-Z]*|nocite|ref|eqref|autoref|cref|Cref|pageref|label|footnote|footnotemark|thanks|vspace|hspace';

// Escaped specials are parked in the private-use area so later steps do not read them as markup.
const PARK: Record<string, string> = { '%': '\ue000', '&': '\ue001', _: '\ue002', '#': '\ue003', $: '\ue004', '{': '\ue005', '}': '\ue006' };
const UNPARK = Object.fromEntries(Object.entries(PARK).map(([k, v]) => [v, k]));

const ARG = '\\{([^{}]*)\\}';
const MAX_ROUNDS = 8;

/** Applies `step` until the text stops changing (nested groups unwrap from the inside out). */
function untilStable(text: string, step: (t: string) => string): string {
  let out = text;
  for (let i = 0; i < MAX_ROUNDS; i++) {
    const next = step(out);
    if (next === out) break;
    out = next;
  }
  return out;
}

/** A letter with an accent mark; the letter may itself be a command (`\i`, `\o`), marked with U+E007. */
function accent(mark: string, letter: string): string {
  const name = letter.replace(/^[\\\ue007]/, '');
  const base = letter === name ? letter : (LETTERS[name] ?? name);
  return base + mark;
}

/** Inline math as readable text: fractions, roots, scripts, then the generic steps do the rest. */
function mathToText(math: string): string {
  return untilStable(math, (t) =>
    t
      .replace(new RegExp(`\\\\[dt]?frac\\s*${ARG}\\s*${ARG}`, 'g'), (_, a: string, b: string) => `${group(a)}/${group(b)}`)
      .replace(new RegExp(`\\\\sqrt\\s*${ARG}`, 'g'), (_, a: string) => `√${group(a)}`)
      .replace(/\\(?:left|right|big|Big|bigg|Bigg)(?![A-Za-z])\s*/g, '')
      .replace(/\\[,;:! ]/g, (m) => (m === '\\!' ? '' : ' ')),
  );
}

/** A fraction's or root's operand, bracketed when it is more than one term. */
function group(text: string): string {
  return /^[\p{L}\p{N}.√\\]+$/u.test(text.trim()) ? text.trim() : `(${text.trim()})`;
}

/** A sub- or superscript's group: braces dropped, or parentheses when it holds several words. */
function script(mark: string, text: string): string {
  return /\s/.test(text.trim()) ? `${mark}(${text.trim()})` : `${mark}${text}`;
}

/**
 * Renders LaTeX markup as plain text. Text without a backslash, `$`, brace or TeX quote comes back
 * unchanged.
 */
export function latexToText(input: string): string {
  if (!/[\\${}`]|''/.test(input)) return input;
  let t = input.replace(/\\\\/g, ' ').replace(/\\([%&_#${}])/g, (_, c: string) => PARK[c]);
  // Citations and references go with the space or tie before them.
  t = t.replace(new RegExp(`[\\s~]{0,3}\\\\(?:${DROP})\\*?(?:\\[[^\\]]{0,200}\\])*${ARG}`, 'g'), '');
  t = t.replace(new RegExp(`\\\\href\\s*${ARG}\\s*${ARG}`, 'g'), '$1').replace(new RegExp(`\\\\url\\s*${ARG}`, 'g'), '$1');
  // A link whose \href lost its backslash keeps a "{here}" tail.
  t = t.replace(/(https?:\/\/[^\s{}]+)\{[^{}\s]{0,40}\}/g, '$1');
  // Letters spelled as commands (\o, \ss, \i) are marked first so an accent can sit on them.
  t = t.replace(/\\([A-Za-z]{1,2})(?![A-Za-z])\s?/g, (m, name: string) => (name in LETTERS && !(name in ACCENTS) ? `\ue007${name}` : m));
  const target = '(\\\\?[A-Za-z]|\\ue007[A-Za-z]{1,2})';
  // Accents: \"u, \"{u}, {\"u}, \'{\i}, and the lettered ones with braces or a space: \v{s}, \c c.
  t = t.replace(new RegExp(`\\\\(["'\`^~=.])\\s*(?:\\{\\s*${target}\\s*\\}|${target})`, 'g'), (_, a: string, b?: string, c?: string) => accent(ACCENTS[a], b ?? c ?? ''));
  t = t.replace(new RegExp(`\\\\([uvHckrdb])(?:\\s*\\{\\s*${target}\\s*\\}|\\s+([A-Za-z]))`, 'g'), (_, a: string, b?: string, c?: string) => accent(ACCENTS[a], b ?? c ?? ''));
  t = t.replace(/\ue007([A-Za-z]{1,2})/g, (_, name: string) => LETTERS[name]);
  // Inline math ($...$, $$...$$, \(...\)), bounded; "$5 and $10" is money, not math: TeX math does not start or end with a space.
  t = t.replace(/\$\$([^$]{1,400}?)\$\$|\$(?!\s)([^$\n]{1,400}?)(?<!\s)\$|\\\(([^]{1,400}?)\\\)/g, (_, a?: string, b?: string, c?: string) => mathToText(a ?? b ?? c ?? ''));
  t = untilStable(t, (s) =>
    mathToText(s)
      .replace(new RegExp(`\\\\(?:${KEEP_ARGUMENT})\\s*${ARG}`, 'g'), '$1')
      .replace(new RegExp(`(?<![A-Za-z\\\\])(?:${BARE_FONT})${ARG}`, 'g'), '$1')
      .replace(new RegExp(`\\\\([A-Za-z]+)\\s*${ARG}`, 'g'), (m, name: string, arg: string) => (name in SYMBOLS || name === 'frac' || name === 'sqrt' ? m : arg))
      .replace(/([_^])\{([^{}]*)\}/g, (_, mark: string, text: string) => script(mark, text)),
  );
  t = t.replace(/\\([A-Za-z]+)(?![A-Za-z])/g, (_, name: string) => SYMBOLS[name] ?? name);
  // TeX quotes: ``quoted'' (or ``quoted" as some listings close them) and `quoted'.
  t = t.replace(/``([^`'"\n]{0,300}?)(?:''|")/g, '“$1”').replace(/(?<![\w`])`([^`'\n]{1,100})'(?!\w)/g, '‘$1’');
  // What braces remain were grouping.
  t = t.replace(/[{}]/g, '');
  t = t.replace(/[\ue000-\ue006]/g, (c) => UNPARK[c]);
  return t.normalize('NFC');
}
