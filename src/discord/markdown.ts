/**
 * Text made safe to show in Discord's Markdown. Two kinds of text reach a message:
 *
 * - Text from the corpus or a user (titles, abstracts, passages, authors, venues, tags, topic
 *   labels, questions): shown verbatim with `escapeMarkdown`, so `[download here](https://x)` is
 *   read as those characters, never as a link, and a URL in it is shown but not clickable.
 * - Text Litbot composed (answers): Markdown on purpose, so `safeAnswerMarkdown` keeps its
 *   formatting and lets through only links to the papers' own URLs.
 *
 * Either way the only links in a message are the ones Litbot builds with `link` to a paper's
 * own http(s) URL, and nothing mentions anyone.
 */
import { BARE_URL, MARKER_LABEL, MASKED_LINK, defuseMentions, isHttpUrl, sameUrl } from '../answer/links.js';

/**
 * A URL written so that Discord shows it but does not make it clickable: Discord's Markdown reads
 * `\:` as a literal colon, and an autolink needs `https://` in one piece.
 */
function unlinkUrls(text: string): string {
  return text.replace(/\b(https?):(?=\/\/)/gi, '$1\\:');
}

/** Plain text shown verbatim: every Markdown character escaped, URLs unlinked, mentions defused. */
export function escapeMarkdown(text: string): string {
  const escaped = text
    .replace(/([\\*_~`|<>\[\]])/g, '\\$1')
    // Headings, lists and subtext only work at the start of a line.
    .replace(/^(\s*)([#+-])(?=\s|#)/gm, '$1\\$2')
    .replace(/^(\s*\d+)\.(?=\s)/gm, '$1\\.');
  return defuseMentions(unlinkUrls(escaped));
}

/** `[text](url)` with the text escaped; just the escaped text when `url` is not http(s). */
export function link(text: string, url: string): string {
  const label = escapeMarkdown(text.replace(/\s+/g, ' '));
  if (!isHttpUrl(url)) return label;
  const target = url.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\s/g, '%20');
  return `[${label}](${target})`;
}

/**
 * Litbot's own Markdown (an answer) with the links checked: a masked link stays only when its
 * target is one of `allowed` (the cited papers' URLs), a citation-shaped one (`[2](...)`) becomes
 * the bare marker, any other becomes its label; bare URLs not in `allowed` are shown unlinked;
 * mentions are defused. The composers already do this to what they write; this is the last
 * check before Discord, whatever composed the text.
 */
export function safeAnswerMarkdown(text: string, allowed: readonly string[] = []): string {
  const isAllowed = (url: string) => isHttpUrl(url) && allowed.some((a) => sameUrl(a, url));
  const kept: string[] = [];
  const hold = (s: string) => `\u0000${kept.push(s) - 1}\u0000`;
  const held = text.replace(MASKED_LINK, (all, label: string, url: string) => {
    if (MARKER_LABEL.test(label)) return `[${label.trim()}]`;
    if (isAllowed(url)) return hold(all);
    return unlinkUrls(label);
  });
  const checked = held.replace(BARE_URL, (url) => (isAllowed(url.replace(/^<|>$/g, '')) ? hold(url) : unlinkUrls(url.replace(/^</, '\\<'))));
  return defuseMentions(checked).replace(/\u0000(\d+)\u0000/g, (_m, i: string) => kept[Number(i)]);
}
