/**
 * Before and after: the answer-content score (key facts, figures first, conversations) of this
 * tree's answerer and of another source tree's (e.g. main's checkout), on the same index with the
 * same scorer, then their latency side by side in one process, alternating question by question so
 * both see the same machine load.
 *
 *   npx tsx src/measure/compare-answers.ts --before /work/main/src/litbot.ts [--skip-content]
 */
import { resolve } from 'node:path';
import { program, runCli } from '../cli/run-cli.js';
import { createLitbot, type Litbot } from '../litbot.js';
import { readLabelledSet, runContentEval } from './answer-eval.js';
import { percentile } from './answer-bench.js';

const SETS = ['test/fixtures/questions.json', 'test/fixtures/discord-questions.json'];

await runCli(async () => {
  const cmd = program('compare-answers', "Compare this tree's answers with another tree's: answer content, then latency side by side.")
    .requiredOption('--before <file>', "the other tree's src/litbot.ts")
    .option('--skip-content', 'latency only')
    .parse();
  const opts = cmd.opts<{ before: string; skipContent?: boolean }>();
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const other = (await import(resolve(opts.before))) as { createLitbot: typeof createLitbot };
  const before: Litbot = await other.createLitbot({ log: () => {} });
  const after = await createLitbot({ log: () => {} });
  if (!opts.skipContent) {
    for (const [name, bot] of [
      ['Before', before],
      ['After', after],
    ] as const) {
      out(`${name} (${name === 'Before' ? opts.before : 'this tree'})`);
      await runContentEval(
        (q, history) => bot.ask(q, { history }),
        SETS,
        (line) => {
          if (!line.startsWith('    ')) out(line);
        },
      );
      out();
    }
  }
  const questions = SETS.flatMap((f) => readLabelledSet(f).questions.map((q) => q.question));
  for (const q of questions.slice(0, 5)) {
    await before.ask(q);
    await after.ask(q);
  }
  const times = { before: { total: [] as number[], rest: [] as number[] }, after: { total: [] as number[], rest: [] as number[] } };
  for (const q of questions) {
    for (const [name, bot] of [
      ['before', before],
      ['after', after],
    ] as const) {
      const t = performance.now();
      const r = await bot.ask(q);
      const ms = performance.now() - t;
      times[name].total.push(ms);
      times[name].rest.push(ms - r.timings.retrieveMs);
    }
  }
  out(`Latency, ${questions.length} questions, alternating in one process (extractive):`);
  for (const name of ['before', 'after'] as const) {
    const t = times[name];
    out(
      `  ${name.padEnd(6)} answer p50 ${percentile(t.total, 50).toFixed(1)} ms, p95 ${percentile(t.total, 95).toFixed(1)} ms; after retrieval p50 ${percentile(t.rest, 50).toFixed(1)} ms, p95 ${percentile(t.rest, 95).toFixed(1)} ms`,
    );
  }
  await before.close();
  await after.close();
});
