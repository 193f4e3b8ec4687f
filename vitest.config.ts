import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.int.test.ts', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Native addons (hnswlib, onnxruntime) and the TF.js WASM runtime are happier in forks.
    pool: 'forks',
    // Two test files at a time. Vitest's default on two cores is one (cores - 1), which leaves a
    // core idle while a file waits on its child processes and fake servers; three let the heavy
    // files' synchronous stretches (model conversion, vector generation) grow long enough on a
    // loaded machine to starve a worker's RPC with the main process, which vitest reports as
    // `Timeout calling "onTaskUpdate"` (its 60 s timeout is fixed). Long work in a test must not
    // block the worker's event loop either: child processes are spawned asynchronously
    // (test/helpers/run-process.ts), never with spawnSync.
    maxWorkers: 2,
  },
});
