/**
 * Local servers on 127.0.0.1 that speak the real wire protocols of the OpenAI chat completions
 * API, Ollama's /api/chat and Anthropic's /v1/messages, streaming and not, so the real LangChain
 * clients run against them. Each records the request bodies it received.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/** How a streamed reply ends. */
export interface StreamEnding {
  /**
   * `stop` (default) or `length`: the finish reason the server reports (OpenAI `finish_reason`,
   * Anthropic `stop_reason` `end_turn` / `max_tokens`, Ollama `done_reason`).
   */
  finish?: 'stop' | 'length';
  /** Closes the stream after the text without the final chunk, `[DONE]`, `message_stop` or `done: true`. */
  truncate?: boolean;
}

/** What the server does with one request. */
export type FakeReply =
  | ({ text: string; usage?: { input: number; output: number } } & StreamEnding)
  | { status: number; message?: string; retryAfter?: number }
  /** Answers 200 with this body as is (malformed replies). */
  | { raw: string; contentType?: string }
  /** Accepts the request and never answers. */
  | { hang: true };

type TextReply = { text: string; usage: { input: number; output: number } } & StreamEnding;

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface FakeLlmServer {
  /** The base URL to configure the client with (`LLM_BASE_URL`). */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

type Script = FakeReply | ((request: RecordedRequest, index: number) => FakeReply);

/** Splits text into small pieces the way a model streams tokens. */
function pieces(text: string): string[] {
  return text.match(/\S*\s*/g)?.filter(Boolean) ?? [text];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

async function start(path: string, script: Script, respond: (res: ServerResponse, reply: TextReply, body: any) => void): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const recorded = { path: req.url ?? '', headers: req.headers, body };
    if (!(req.url ?? '').startsWith(path)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      return;
    }
    requests.push(recorded);
    const reply = typeof script === 'function' ? script(recorded, requests.length - 1) : script;
    if ('hang' in reply) {
      hanging.add(res);
      return;
    }
    if ('status' in reply) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
      const message = reply.message ?? `fake error ${reply.status}`;
      res.writeHead(reply.status, headers).end(JSON.stringify({ type: 'error', error: { message, type: 'fake_error', code: null }, message }));
      return;
    }
    if ('raw' in reply) {
      res.writeHead(200, { 'content-type': reply.contentType ?? 'application/json' }).end(reply.raw);
      return;
    }
    respond(res, { ...reply, usage: reply.usage ?? { input: 42, output: pieces(reply.text).length } }, body);
  });
  // A hanging response would keep close() waiting; end those first.
  const { origin, close } = await listenOnLoopback(server, () => hanging.forEach((res) => res.destroy()));
  return { url: origin, requests, close };
}

/** An OpenAI-compatible `/v1/chat/completions` server; configure the client with `url + '/v1'`. */
export async function startFakeOpenAI(script: Script): Promise<FakeLlmServer> {
  const server = await start('/v1/chat/completions', script, (res, reply, body) => {
    const id = 'chatcmpl-fake';
    const created = Math.floor(Date.now() / 1000);
    const model = body.model;
    const usage = { prompt_tokens: reply.usage.input, completion_tokens: reply.usage.output, total_tokens: reply.usage.input + reply.usage.output };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply.text }, finish_reason: reply.finish ?? 'stop', logprobs: null }],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    for (const p of pieces(reply.text)) res.write(chunk({ content: p }, null));
    if (reply.truncate) {
      res.end();
      return;
    }
    res.write(chunk({}, reply.finish ?? 'stop'));
    if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  return { ...server, url: `${server.url}/v1` };
}

/** An Ollama `/api/chat` server (NDJSON when streaming). */
export function startFakeOllama(script: Script): Promise<FakeLlmServer> {
  return start('/api/chat', script, (res, reply, body) => {
    const base = { model: body.model, created_at: new Date().toISOString() };
    const done = {
      ...base,
      message: { role: 'assistant', content: body.stream === false ? reply.text : '' },
      done: true,
      done_reason: reply.finish ?? 'stop',
      total_duration: 1_000_000,
      load_duration: 1000,
      prompt_eval_count: reply.usage.input,
      prompt_eval_duration: 1000,
      eval_count: reply.usage.output,
      eval_duration: 1000,
    };
    if (body.stream === false) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(done));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const p of pieces(reply.text)) res.write(`${JSON.stringify({ ...base, message: { role: 'assistant', content: p }, done: false })}\n`);
    if (reply.truncate) {
      res.end();
      return;
    }
    res.end(`${JSON.stringify(done)}\n`);
  });
}

/** An Anthropic `/v1/messages` server (server-sent events when streaming). */
export function startFakeAnthropic(script: Script): Promise<FakeLlmServer> {
  return start('/v1/messages', script, (res, reply, body) => {
    const message = { id: 'msg_fake', type: 'message', role: 'assistant', model: body.model, stop_sequence: null };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          ...message,
          content: [{ type: 'text', text: reply.text }],
          stop_reason: reply.finish === 'length' ? 'max_tokens' : 'end_turn',
          usage: { input_tokens: reply.usage.input, output_tokens: reply.usage.output },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const event = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    event('message_start', { message: { ...message, content: [], stop_reason: null, usage: { input_tokens: reply.usage.input, output_tokens: 1 } } });
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    for (const p of pieces(reply.text)) event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } });
    if (reply.truncate) {
      res.end();
      return;
    }
    event('content_block_stop', { index: 0 });
    event('message_delta', { delta: { stop_reason: reply.finish === 'length' ? 'max_tokens' : 'end_turn', stop_sequence: null }, usage: { output_tokens: reply.usage.output } });
    event('message_stop', {});
    res.end();
  });
}
