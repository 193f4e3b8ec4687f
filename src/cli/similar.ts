/** `npm run similar -- "title" [--k 5] [--json]`: the papers nearest to one, by their paper-level vectors. */
import { InvalidArgumentError } from 'commander';
import { MAX_SIMILAR } from '../browse/similar.js';
import { createLitbot, type Litbot } from '../litbot.js';
import { program, runCli } from './run-cli.js';

type SimilarResult = Awaited<ReturnType<Litbot['similar']>>;

export function similarJson(query: string, result: SimilarResult) {
  return {
    query,
    paper: { paperId: result.paper.id, title: result.paper.title, url: result.paper.url },
    similar: result.similar.map((s) => ({ paperId: s.paperId, title: s.paper.title, url: s.paper.url, score: s.score })),
  };
}

export function formatSimilar(result: SimilarResult): string {
  const lines = [`Papers nearest to "${result.paper.title}"`, `  ${result.paper.url}`, ''];
  result.similar.forEach((s, i) => lines.push(`${i + 1}. ${s.paper.title}`, `   ${s.paper.url}`, `   similarity ${s.score.toFixed(3)}`));
  return lines.join('\n');
}

function kOption(value: string): number {
  const k = Number(value);
  if (!Number.isInteger(k) || k < 1 || k > MAX_SIMILAR) throw new InvalidArgumentError(`--k must be a whole number from 1 to ${MAX_SIMILAR}.`);
  return k;
}

await runCli(async () => {
  const cmd = program('similar', 'The papers most similar to one, found by (part of) its title.')
    .argument('<title...>', 'the paper: any part of its title, typos forgiven')
    .option('--k <n>', `how many neighbours (1-${MAX_SIMILAR})`, kOption, 5)
    .option('--json', 'print JSON on stdout')
    .parse();
  const opts = cmd.opts<{ k: number; json?: boolean }>();
  const query = cmd.args.join(' ').trim();
  const litbot = await createLitbot({ buildIfMissing: true });
  try {
    const result = await litbot.similar(query, opts.k);
    process.stdout.write(opts.json ? `${JSON.stringify(similarJson(query, result))}\n` : `${formatSimilar(result)}\n`);
  } finally {
    await litbot.close();
  }
});
