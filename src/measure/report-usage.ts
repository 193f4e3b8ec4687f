/**
 * Loaded with `node --import` into a child process that a bench runs: at exit it writes one
 * marker line with the process's peak resident memory to standard error, so the bench can report
 * the peak memory of a real command (`npm run index`, `ask`) without changing the command.
 */
import { writeSync } from 'node:fs';

/** The marker `corpus-20k-bench.ts` looks for on the child's standard error (a copy, so importing the bench does not install this hook). */
const USAGE_MARKER = '#litbot-usage ';

process.on('exit', () => {
  const usage = process.resourceUsage();
  writeSync(2, `\n${USAGE_MARKER}${JSON.stringify({ maxRssKB: usage.maxRSS, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 })}\n`);
});
