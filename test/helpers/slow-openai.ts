/**
 * An OpenAI-compatible chat completions server on 127.0.0.1 that streams its reply a few words at
 * a time with a pause between chunks, the way a real model writes, so streamed edits can be seen.
 */
import { createServer } from 'node:http';
import { listenOnLoopback } from './loopback.js';

export interface SlowOpenAI {
  /** `LLM_BASE_URL` for the OpenAI client (ends in `/v1`). */
  url: string;
  close(): Promise<void>;
}

/** Streams `reply(requestBody)` in `chunks` pieces of whole words, `delayMs` apart. */
export async function startSlowOpenAI(reply: (body: any) => string, options: { delayMs?: number; chunks?: number } = {}): Promise<SlowOpenAI> {
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw || '{}');
    const text = reply(body);
    const base = { id: 'chatcmpl-slow', created: Math.floor(Date.now() / 1000), model: body.model };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (delta: object, finish: string | null) =>
      res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`);
    send({ role: 'assistant', content: '' }, null);
    const words = text.match(/\S*\s*/g)?.filter(Boolean) ?? [text];
    const n = Math.max(1, Math.ceil(words.length / (options.chunks ?? 30)));
    for (let i = 0; i < words.length; i += n) {
      send({ content: words.slice(i, i + n).join('') }, null);
      await new Promise((r) => setTimeout(r, options.delayMs ?? 20));
    }
    send({}, 'stop');
    res.end('data: [DONE]\n\n');
  });
  const { origin, close } = await listenOnLoopback(server);
  return { url: `${origin}/v1`, close };
}
