import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.int.test.ts', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Native addons (hnswlib, onnxruntime) and the TF.js WASM runtime are happier in forks.
    pool: 'forks',
  },
});
