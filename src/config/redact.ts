/**
 * Secrets out of text: the configured secret values (`SECRET_VARIABLES`, as `scrubSecrets` does)
 * and anything shaped like a well-known credential, for text that crosses a trust boundary (an
 * upstream error body on its way to the log, any message on its way to Discord). Markdown text
 * is searched as it reads, so escaping (`ghp\_...`) cannot hide a token.
 */
import { SECRET_VARIABLES, type Env } from './env.js';

/**
 * Credential shapes worth catching even when they are not ours: an upstream error that echoes a
 * header, or a stack that prints a token, may carry a key the configuration never saw. Where a
 * shape has a group, only the group is the secret.
 */
const TOKEN_SHAPES: RegExp[] = [
  // An echoed Authorization header keeps its scheme, so the log still says what was sent. The
  // credential must look like one (16+ characters, a digit among them): "Basic arithmetic" stays.
  /\b(?:[Bb]earer|Basic|Bot)\s+((?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{15,}[A-Za-z0-9_~+/=-])/g,
  // Discord bot tokens.
  /[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}/g,
  // OpenAI, Anthropic (sk-ant-...), OpenRouter and most OpenAI-compatible gateways.
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g,
  /\bhf_[A-Za-z0-9]{30,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}/g,
  // JSON Web Tokens: three base64url parts, the first an encoded `{"`.
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
];

/** Where `text` holds a secret: sorted, non-overlapping [start, end) spans. */
export function secretSpans(text: string, env: Partial<Env>): [number, number][] {
  const spans: [number, number][] = [];
  for (const key of SECRET_VARIABLES) {
    const value = env[key];
    if (typeof value !== 'string' || value.length < 6) continue;
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length)) spans.push([at, at + value.length]);
  }
  for (const shape of TOKEN_SHAPES) {
    for (const m of text.matchAll(shape)) {
      const secret = m[1] ?? m[0];
      const end = m.index! + m[0].length;
      spans.push([end - secret.length, end]);
    }
  }
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  return merged;
}

function replaceSpans(text: string, spans: [number, number][]): string {
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += `${text.slice(at, start)}[redacted]`;
    at = end;
  }
  return out + text.slice(at);
}

/** `text` without any configured secret value or credential-shaped run (each becomes `[redacted]`). */
export function redact(text: string, env: Partial<Env>): string {
  return replaceSpans(text, secretSpans(text, env));
}

/** Characters Discord Markdown lets a backslash escape (the ones Litbot's formatter escapes). */
const ESCAPABLE = /[\\*_~`|<>\[\]]/;

/**
 * `redact` for Markdown: secrets are found in the text as it reads (escapes removed), and the
 * escaped spans they cover are replaced, so the rest keeps its escaping.
 */
export function redactMarkdown(text: string, env: Partial<Env>): string {
  // `origin[k]` is where the k-th character of the readable text starts in `text` (its escape included).
  const origin: number[] = [];
  let readable = '';
  for (let i = 0; i < text.length; i++) {
    origin.push(i);
    if (text[i] === '\\' && i + 1 < text.length && ESCAPABLE.test(text[i + 1])) i++;
    readable += text[i];
  }
  origin.push(text.length);
  const spans = secretSpans(readable, env).map(([s, e]) => [origin[s], origin[e]] as [number, number]);
  return spans.length ? replaceSpans(text, spans) : text;
}
