import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/**/*.int.test.ts'], testTimeout: 120_000 },
});
