/**
 * Links and mentions in Markdown, found the same way everywhere: the LLM text cleaner, the
 * Discord formatter and the send path all use these, so what one removes the other cannot miss.
 */

/** `[label](target)` with an unescaped opening bracket; the label may hold escaped brackets. */
export const MASKED_LINK = /(?<!\\)\[((?:[^\[\]\\\n]|\\.)*)\]\(\s*<?((?:[^()\s<>\\]|\\.|\([^()\s]*\))*)>?(?:\s+"[^"\n]*")?\s*\)/g;

/** Bare or `<angled>` URLs of the schemes a Discord client makes clickable. */
export const BARE_URL = /<?\bhttps?:\/\/[^\s<>]*[^\s<>.,:;"'!?)\]*_~|]>?/gi;

/** A label that is only citation numbers: `1`, `1, 2`, `1-3`. */
export const MARKER_LABEL = /^\s*\d{1,3}(?:\s*(?:,|;|-|–)\s*\d{1,3})*\s*$/;

/** True for absolute http(s) URLs, the only kind Litbot ever links. */
export function isHttpUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The same URL however it was written: trailing slash, case of scheme and host, encoded parentheses. */
export function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const parsed = new URL(u.replace(/^<|>$/g, ''));
      return parsed.href.replace(/\/$/, '').replace(/%28/gi, '(').replace(/%29/gi, ')');
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

/** Zero-width space: keeps `@everyone` and `<@id>` readable while no client treats them as mentions. */
const ZWSP = '\u200b';

/** `@everyone`, `@here` and `<@id>`, `<@&id>`, `<#id>`, `</command:id>` written so that they mention nobody. */
export function defuseMentions(text: string): string {
  return text.replace(/@(everyone|here)\b/gi, `@${ZWSP}$1`).replace(/<(?=[@#/]|a?:\w+:\d|t:\d)/g, `<${ZWSP}`);
}
