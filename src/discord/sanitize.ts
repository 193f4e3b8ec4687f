/**
 * The last line of defence on the way out: every request the bot's REST client makes passes
 * through `sanitizingRest` before it leaves the process, whichever command, button, stream edit
 * or error reply built it. Whatever the formatting upstream missed, a message body never carries
 * a configured secret or a credential-shaped string, never mentions anyone, never links anything
 * but http(s), and never lets Discord parse mentions.
 */
import { DefaultRestOptions, type RESTOptions } from 'discord.js';
import type { Logger } from 'pino';
import { defuseMentions } from '../answer/links.js';
import type { Env } from '../config/env.js';
import { redact, redactMarkdown } from '../config/redact.js';

/** Keys whose strings Discord renders as text (message, embed, component, thread and choice texts). */
const TEXT_KEYS = new Set(['content', 'title', 'description', 'name', 'value', 'text', 'label', 'placeholder']);

/** What `allowed_mentions` must say on any body that carries a message. */
const NO_MENTIONS_API = { parse: [], replied_user: false };

/** A masked link whose target is not http(s) (`[x](javascript:...)`, `[x](data:...)`) keeps its label only. */
function dropNonHttpLinks(text: string): string {
  return text.replace(/(?<!\\)\[((?:[^\[\]\\\n]|\\.)*)\]\(\s*<?(?!https?:\/\/)[^)\n]*\)/gi, '$1');
}

/** What was changed in one body, for the log (paths only, never the text). */
export interface SanitizeReport {
  secrets: string[];
  rewritten: string[];
}

/**
 * A copy of `body` (a parsed JSON request body) with every string scrubbed of secrets and every
 * text defused of mentions and non-http(s) links; message bodies get `allowed_mentions` that
 * allow nothing.
 */
export function sanitizeBody(body: unknown, env: Partial<Env>, report: SanitizeReport = { secrets: [], rewritten: [] }, path = ''): unknown {
  if (typeof body === 'string') {
    const scrubbed = redactMarkdown(body, env);
    if (scrubbed !== body) report.secrets.push(path || '.');
    const key =
      path
        .split('.')
        .at(-1)
        ?.replace(/\[\d+\]$/, '') ?? '';
    if (!TEXT_KEYS.has(key)) return scrubbed;
    const safe = defuseMentions(dropNonHttpLinks(scrubbed));
    if (safe !== scrubbed) report.rewritten.push(path);
    return safe;
  }
  if (Array.isArray(body)) return body.map((v, i) => sanitizeBody(v, env, report, `${path}[${i}]`));
  if (body && typeof body === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) out[k] = sanitizeBody(v, env, report, path ? `${path}.${k}` : k);
    if ('content' in out || 'embeds' in out) out.allowed_mentions = NO_MENTIONS_API;
    return out;
  }
  return body;
}

/**
 * REST options whose `makeRequest` sanitizes each JSON body (and the `payload_json` of a
 * multipart one) before handing it to `makeRequest` (default: discord.js's own).
 */
export function sanitizingRest(env: Partial<Env>, logger: Logger, makeRequest: RESTOptions['makeRequest'] = DefaultRestOptions.makeRequest): Pick<RESTOptions, 'makeRequest'> {
  const clean = (json: string, url: string): string => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return redact(json, env);
    }
    const report: SanitizeReport = { secrets: [], rewritten: [] };
    const safe = sanitizeBody(parsed, env, report);
    if (report.secrets.length) logger.warn({ route: routeOf(url), fields: report.secrets }, 'removed secret-like text from an outgoing Discord request');
    if (report.rewritten.length) logger.debug({ route: routeOf(url), fields: report.rewritten }, 'defused mentions or links in an outgoing Discord request');
    return JSON.stringify(safe);
  };
  return {
    makeRequest(url, init) {
      let body = init.body;
      if (typeof body === 'string') body = clean(body, url);
      else if (body instanceof FormData && typeof body.get('payload_json') === 'string') body.set('payload_json', clean(body.get('payload_json') as string, url));
      return makeRequest(url, { ...init, body });
    },
  };
}

/** The request's route without ids or tokens, for the log. */
function routeOf(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/[\w-]{20,}(?=\/|$)/g, '/:token').replace(/\/\d{5,}(?=\/|$)/g, '/:id');
  } catch {
    return 'unknown';
  }
}
