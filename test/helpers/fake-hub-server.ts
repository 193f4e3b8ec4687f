/**
 * A stand-in for the Hugging Face Hub on 127.0.0.1: serves a model folder at
 * `/<org>/<name>/resolve/main/<file>`, the URL layout transformers.js downloads from, and records
 * the paths asked for so a test can tell a download from a cache hit.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { listenOnLoopback } from './loopback.js';
import { join } from 'node:path';

export interface FakeHub {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** Request paths, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `models[modelId]` (a folder) for each model id; anything else is a 404. */
export async function startFakeHub(models: Record<string, string>): Promise<FakeHub> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    requests.push(path);
    const match = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(path);
    const folder = match ? models[match[1]] : undefined;
    const file = folder && match && !match[2].includes('..') ? join(folder, match[2]) : undefined;
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Entry not found');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  const { origin, close } = await listenOnLoopback(server);
  return { url: `${origin}/`, requests, close };
}
