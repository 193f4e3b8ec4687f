/**
 * Secrets out of text: the configured secret values (`scrubSecrets`) and anything shaped like a
 * well-known credential, for text that crosses a trust boundary (an upstream error body on its
 * way to the log, any message on its way to Discord).
 */
import { scrubSecrets, type Env } from './env.js';

/**
 * Credential shapes worth catching even when they are not ours: an upstream error that echoes a
 * header, or a stack that prints a token, may carry a key the configuration never saw.
 */
const TOKEN_SHAPES: RegExp[] = [
  // An echoed Authorization header keeps its scheme, so the log still says what was sent. The
  // credential must look like one (16+ characters, a digit among them): "Basic arithmetic" stays.
  /\b([Bb]earer|Basic|Bot)\s+(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{16,}/g,
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

/** `text` with credential-shaped runs replaced by `[redacted]`. */
export function scrubTokenShapes(text: string): string {
  let out = text;
  for (const shape of TOKEN_SHAPES) {
    out = out.replace(shape, (match, scheme?: string) => (typeof scheme === 'string' && match.startsWith(scheme) ? `${scheme} [redacted]` : '[redacted]'));
  }
  return out;
}

/** `text` without any configured secret value (see `SECRET_VARIABLES`) or credential-shaped run. */
export function redact(text: string, env: Partial<Env>): string {
  return scrubTokenShapes(scrubSecrets(text, env));
}
