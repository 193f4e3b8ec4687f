/** `npm run search -- "query"`: the papers that best match, with evidence; `--json` for scripts. */
import { createLitbot } from '../litbot.js';
import type { Litbot } from '../litbot.js';
import type { SearchOptions, SearchResponse } from '../retrieval/types.js';
import { MAX_K } from '../retrieval/retriever.js';
import { intOption, program, runCli, stdinLines } from './run-cli.js';
import { checkDate, checkDateRange, checkSource } from './search-filters.js';

/** The JSON line printed per query. */
export function searchJson(response: SearchResponse) {
  return {
    query: response.query,
    results: response.hits.map((h) => ({
      paperId: h.paperId,
      title: h.paper.title,
      url: h.paper.url,
      score: Number(h.score.toFixed(5)),
      dense: h.dense === undefined ? null : Number(h.dense.toFixed(4)),
      bm25: h.bm25 === undefined ? null : Number(h.bm25.toFixed(3)),
      date: h.paper.date ?? null,
      sources: h.paper.sources.map((s) => `${s.file}:${s.line}`),
      passage: h.passages[0]?.text ?? null,
    })),
    timings: { totalMs: Number(response.timings.totalMs.toFixed(1)) },
  };
}

export function formatSearch(response: SearchResponse): string {
  if (response.hits.length === 0) return `No papers match "${response.query}".`;
  return response.hits
    .map((h, i) => {
      const snippet = h.passages[0]?.text ?? '';
      const short = snippet.length > 220 ? `${snippet.slice(0, 217)}...` : snippet;
      return `${i + 1}. ${h.paper.title}${h.paper.titleDerived ? ' (title derived from the abstract)' : ''}\n   ${h.paper.url}\n   score ${h.score.toFixed(4)} · ${short}`;
    })
    .join('\n\n');
}

await runCli(async () => {
  const cmd = program('search', 'Search the papers (hybrid: dense + BM25).')
    .argument('[query...]', 'what to look for; with --json and no query, one query per line on stdin')
    .option('--k <n>', `papers to return (1-${MAX_K})`, intOption('k', 1, MAX_K), 10)
    .option('--json', 'one JSON object per query on stdout')
    .option('--mode <mode>', 'hybrid, dense or bm25', 'hybrid')
    .option('--from <date>', 'only papers dated on or after YYYY-MM-DD')
    .option('--to <date>', 'only papers dated on or before YYYY-MM-DD')
    .option('--source <file>', 'only papers listed in a source file whose path contains this')
    .parse();
  const opts = cmd.opts<{ k: number; json?: boolean; mode: string; from?: string; to?: string; source?: string }>();
  if (!['hybrid', 'dense', 'bm25'].includes(opts.mode)) cmd.error(`--mode must be hybrid, dense or bm25 (got "${opts.mode}")`);
  const query = cmd.args.join(' ').trim();
  if (!query && !opts.json) cmd.error('Give a query, e.g. npm run search -- "catastrophic forgetting"');
  if (opts.from) checkDate('--from', opts.from);
  if (opts.to) checkDate('--to', opts.to);
  checkDateRange(opts.from, opts.to);
  const litbot: Litbot = await createLitbot({ buildIfMissing: true });
  if (opts.source) checkSource(opts.source, litbot.sourceFiles());
  const options: SearchOptions = { k: opts.k, mode: opts.mode as SearchOptions['mode'], from: opts.from, to: opts.to, sourceFile: opts.source };
  const run = async (q: string) => {
    const response = await litbot.search(q, options);
    process.stdout.write(opts.json ? `${JSON.stringify(searchJson(response))}\n` : `${formatSearch(response)}\n`);
  };
  if (query) await run(query);
  else for await (const line of stdinLines()) await run(line);
  await litbot.close();
});
