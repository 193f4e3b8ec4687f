/**
 * Local HTTP servers on 127.0.0.1 that speak the embeddings protocols the real LangChain clients
 * use: OpenAI's `POST /v1/embeddings` (float or base64 output) and Ollama's `POST /api/embed`.
 * They record every request, so tests can assert on what the client actually sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface FakeEmbeddingServer {
  /** `http://127.0.0.1:<port>` (append `/v1` for the OpenAI client). */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** Vector length the server returns. */
  dimensions?: number;
  /** Models the server knows; others get the provider's "not found" error. */
  models?: string[];
}

/**
 * A deterministic, deliberately un-normalised vector for `text`, so a test can check that what
 * comes back is this vector scaled to unit length and in the right order.
 */
export function fakeVector(text: string, dimensions: number): number[] {
  let seed = 0;
  for (const ch of text) seed = (seed * 31 + ch.codePointAt(0)!) % 1_000_003;
  return Array.from({ length: dimensions }, (_, j) => 1 + ((seed * (j + 7)) % 97) / 10 - j * 0.3);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function listen(handler: (req: RecordedRequest, res: ServerResponse) => void): Promise<FakeEmbeddingServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    readJson(req)
      .then((body) => {
        const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
        requests.push(recorded);
        handler(recorded, res);
      })
      .catch((error: unknown) => send(res, 400, { error: String(error) }));
  });
  const { origin, close } = await listenOnLoopback(server);
  return { url: origin, requests, close };
}

const inputs = (input: unknown): string[] => (Array.isArray(input) ? input.map(String) : [String(input)]);

/** OpenAI's embeddings endpoint, with its error shape for a bad key or an unknown model. */
export function startFakeOpenAIServer(options: FakeServerOptions = {}): Promise<FakeEmbeddingServer> {
  const dimensions = options.dimensions ?? 6;
  return listen((req, res) => {
    if (req.method !== 'POST' || req.path !== '/v1/embeddings') return send(res, 404, { error: { message: `no route ${req.method} ${req.path}` } });
    const model = String(req.body.model);
    if (options.models && !options.models.includes(model)) {
      return send(res, 404, { error: { message: `The model \`${model}\` does not exist`, type: 'invalid_request_error', code: 'model_not_found' } });
    }
    const texts = inputs(req.body.input);
    const base64 = req.body.encoding_format === 'base64';
    send(res, 200, {
      object: 'list',
      model,
      data: texts.map((text, index) => {
        const vector = fakeVector(text, dimensions);
        return {
          object: 'embedding',
          index,
          embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
        };
      }),
      usage: { prompt_tokens: texts.length, total_tokens: texts.length },
    });
  });
}

/** Ollama's `/api/embed`, with its error shape for a model that was not pulled. */
export function startFakeOllamaServer(options: FakeServerOptions = {}): Promise<FakeEmbeddingServer> {
  const dimensions = options.dimensions ?? 6;
  return listen((req, res) => {
    if (req.method !== 'POST' || req.path !== '/api/embed') return send(res, 404, { error: `no route ${req.method} ${req.path}` });
    const model = String(req.body.model);
    if (options.models && !options.models.includes(model)) return send(res, 404, { error: `model "${model}" not found, try pulling it first` });
    const texts = inputs(req.body.input);
    send(res, 200, {
      model,
      embeddings: texts.map((text) => fakeVector(text, dimensions)),
      total_duration: 1000,
      load_duration: 10,
      prompt_eval_count: texts.length,
    });
  });
}
