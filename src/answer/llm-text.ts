/**
 * What an LLM wrote, cleaned before anyone sees it, the same way for every streamed snapshot and
 * for the final answer: echoed prompt text out, `[n]` markers renumbered and those naming no
 * source dropped, links kept only when they are a cited paper's own, bare URLs out, mentions
 * defused. A snapshot also holds back an unfinished tail (`[9`, `[text](http`, `<sour`) until
 * it is complete, so no edit ever shows what the final answer would remove.
 */
import { renumberCitations, type Renumbered } from './citations.js';
import { BARE_URL, MARKER_LABEL, MASKED_LINK, defuseMentions, isHttpUrl, sameUrl } from './links.js';
import { CONDENSE_PROMPT, SYSTEM_PROMPT } from './prompt.js';

/** What a source needs for its links to be recognised. */
export interface LinkedSource {
  url: string;
}

/** The tags the prompt wraps data in, as written or as `fence` defused them. */
const PROMPT_TAG = /[<‹]\s*\/?\s*(?:sources?|question|history|system)\b[^>›\n]*[>›]/gi;

/** Lines the prompt is made of: "Rules:", "Title: ...", the source attribute line. */
const PROMPT_LINE = /^\s*(?:rules\s*:|title\s*:|n\s*=\s*"\d+")/i;

const collapse = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

/** The sentences the prompts are made of, lower-cased, list numbers dropped. */
const PROMPT_SENTENCES: string[] = [...SYSTEM_PROMPT.split('\n'), ...CONDENSE_PROMPT.split('\n'), 'Answer the question from the sources above, citing them as [n].']
  .map((line) => line.replace(/^\d+\.\s*/, ''))
  .flatMap((line) => line.split(/(?<=[.:])\s+(?=[A-Z])/))
  .map(collapse)
  // The model is asked to say this one; the answerer recognises it.
  .filter((s) => !s.startsWith('the papers in this collection do not cover'));

/**
 * The sentences long enough to be recognised when echoed, each cut to its first 32 characters:
 * a model that repeats its instructions rarely repeats them whole.
 */
const PROMPT_FRAGMENTS: string[] = PROMPT_SENTENCES.filter((s) => s.length >= 24).map((s) => s.slice(0, 32));

/** What a snapshot's last sentence may still be growing into: the prompt's sentences, lines and tags. */
const PROMPT_STARTS: string[] = [...PROMPT_SENTENCES, ...[...SYSTEM_PROMPT.split('\n'), ...CONDENSE_PROMPT.split('\n')].map(collapse), 'rules:', 'title:'];

function echoesPrompt(sentence: string): boolean {
  const s = collapse(sentence);
  return PROMPT_FRAGMENTS.some((f) => s.includes(f));
}

/** `text` without prompt tags, prompt-shaped lines and sentences quoting the instructions. */
export function stripPromptEcho(text: string): string {
  return (
    text
      // What follows a tag starts afresh, so a "Title: ..." after it is seen as the prompt line it is.
      .replace(PROMPT_TAG, '\n')
      .split('\n')
      .filter((line) => !PROMPT_LINE.test(line))
      .map((line) => {
        if (!echoesPrompt(line)) return line;
        // Keep the sentences of the line that do not quote the prompt.
        const kept = line.split(/(?<=[.!?:])\s+/).filter((s) => !echoesPrompt(s) && !/^(?:rules\s*:|\d+\.)$/i.test(s.trim()));
        return kept.join(' ');
      })
      .join('\n')
  );
}

/** The end of a snapshot that may still turn into something the cleaner removes. */
function unfinishedTail(text: string): number {
  const candidates = [
    // A marker or masked link being written: "[9", "[1, ", "[text", "[text](http".
    /\[[^\[\]\n]{0,200}$/,
    /\[[^\[\]\n]{0,200}\]\([^()\s]*$/,
    // A tag or mention being written: "<sour", "<@12"; a "<" in prose ("p < 0.05") is let go soon.
    /<[^<>\n]{0,24}$/,
    /‹[^‹›\n]{0,24}$/,
    // A bare URL whose end has not arrived.
    /https?:\/\/\S*$/i,
    /\bh(?:t(?:t(?:p(?:s?:?\/?)?)?)?)?$/i,
  ];
  // Cutting one unfinished thing can leave another unfinished ("[label](" once its URL is cut): repeat until none is left.
  let cut = text.length;
  for (let before = -1; before !== cut;) {
    before = cut;
    const head = text.slice(0, cut);
    for (const re of candidates) {
      const m = re.exec(head);
      if (m && m.index < cut) cut = m.index;
    }
  }
  // A last sentence that could still grow into a sentence or line of the prompt.
  const lineStart = text.lastIndexOf('\n') + 1;
  const starts = [lineStart, ...[...text.slice(lineStart).matchAll(/[.!?:>›]\s+(?=\S)/g)].map((m) => lineStart + m.index! + m[0].length)];
  for (const start of starts) {
    if (start >= cut) break;
    const rest = collapse(text.slice(start, cut));
    if (rest && PROMPT_STARTS.some((line) => line.startsWith(rest))) return Math.min(cut, start);
  }
  return cut;
}

/**
 * Masked links become their label, or just the marker when the label is a citation
 * (`[2](https://elsewhere)` reads as `[2]`), unless the target is one of `allowed`; bare URLs
 * that are not one of `allowed` go.
 */
export function keepOnlyPaperLinks(text: string, allowed: readonly string[]): string {
  const isAllowed = (url: string) => isHttpUrl(url) && allowed.some((a) => sameUrl(a, url));
  const kept: string[] = [];
  const held = text.replace(MASKED_LINK, (all, label: string, url: string) => {
    if (MARKER_LABEL.test(label)) return `[${label.trim()}]`;
    if (isAllowed(url)) return `\u0000${kept.push(all) - 1}\u0000`;
    return label;
  });
  return (
    held
      .replace(BARE_URL, (url) => (isAllowed(url.replace(/^<|>$/g, '')) ? url : ''))
      .replace(/\u0000(\d+)\u0000/g, (_m, i: string) => kept[Number(i)])
      .replace(/\(\s*\)|<\s*>/g, '')
      .replace(/[ \t]{2,}/g, ' ')
      .replace(/[ \t]+([.,;:!?])/g, '$1')
      // "see X, <url>, and" without the URL: one comma, not two.
      .replace(/([,;])(?:[ \t]*[,;])+/g, '$1')
  );
}

export interface CleanedText<S> extends Renumbered<S> {
  /** Characters of a snapshot held back until they are complete (0 for a final text). */
  heldBack: number;
}

/**
 * Cleans what the model wrote, `[k]` naming `sources[k - 1]`. With `partial`, the text is a
 * snapshot of a stream: an unfinished tail is held back. The result's `cited` and `removed` are
 * those of `renumberCitations`.
 */
export function cleanModelText<S extends LinkedSource>(raw: string, sources: readonly S[], options: { partial?: boolean } = {}): CleanedText<S> {
  const cut = options.partial ? unfinishedTail(raw) : raw.length;
  // A link whose label is a citation is the citation: "[99](https://x)" goes with its marker.
  const text = raw.slice(0, cut).replace(MASKED_LINK, (all, label: string) => (MARKER_LABEL.test(label) ? `[${label.trim()}]` : all));
  const renumbered = renumberCitations(stripPromptEcho(text), sources);
  const urls = renumbered.cited.map((c) => c.source.url);
  const cleaned = defuseMentions(keepOnlyPaperLinks(renumbered.text, urls))
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^[ \t]+|[ \t]+$/gm, '');
  return { ...renumbered, text: options.partial ? cleaned.trimStart() : cleaned.trim(), heldBack: raw.length - cut };
}
