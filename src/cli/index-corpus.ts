/** `npm run index`: reads the corpus and builds the index, with progress and a summary. */
import { loadConfig } from '../config/env.js';
import { createEmbedder } from '../indexing/embeddings/create-embedder.js';
import { updateIndex } from '../indexing/update-index.js';
import { displayDir } from '../config/paths.js';
import { indexBuildHooks } from '../litbot.js';
import { progressBar } from './progress.js';
import { program, runCli } from './run-cli.js';

await runCli(async () => {
  const cmd = program('index', 'Read the corpus and build the search index.')
    .option('--corpus <dir>', 'corpus folder (default: CORPUS_DIR or seeds)')
    .option('--out <dir>', 'index folder (default: INDEX_DIR or index)')
    .option('--skip-invalid', 'index the valid papers and report the invalid blocks instead of failing')
    .option('--force', 'rebuild even when nothing changed')
    .option('--resolve-links', 'look papers up on the arXiv API (online) and store their links')
    .parse();
  const opts = cmd.opts<{ corpus?: string; out?: string; skipInvalid?: boolean; force?: boolean; resolveLinks?: boolean }>();
  const env = loadConfig();
  const embedder = createEmbedder(env);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const bar = progressBar('Embedding chunks');
  const started = performance.now();
  const result = await updateIndex({
    env,
    embedder,
    corpusDir: opts.corpus,
    indexDir: opts.out,
    skipInvalid: opts.skipInvalid,
    // Going online for links means rebuilding with what arXiv answers.
    force: opts.force || opts.resolveLinks,
    ...indexBuildHooks(env, { resolveLinks: opts.resolveLinks, log }),
    log,
    onEmbedProgress: (done, total) => bar.update(done, total),
  }).finally(async () => {
    bar.stop();
    await embedder.dispose?.();
  });
  const out = displayDir(opts.out ?? env.INDEX_DIR);
  if (result.upToDate) {
    console.log(`The index in ${out} is up to date (${result.manifest.counts.papers} papers, built ${result.manifest.builtAt}); use --force to rebuild.`);
    return;
  }
  const { manifest, corpus } = result;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    [
      `Indexed ${manifest.counts.papers} papers into ${out}`,
      `  files:             ${manifest.counts.files}`,
      `  entries read:      ${manifest.counts.entries}`,
      `  duplicates merged: ${manifest.counts.duplicatesMerged}`,
      `  invalid blocks:    ${manifest.counts.invalidSkipped}${manifest.counts.invalidSkipped ? ' (skipped)' : ''}`,
      `  chunks:            ${manifest.counts.chunks}`,
      `  embedded:          ${manifest.embedded.computed} new, ${manifest.embedded.reused} reused from cache`,
      `  topics:            ${manifest.counts.topics}`,
      `  embeddings:        ${manifest.embeddings.id} (${manifest.embeddings.dimensions} dimensions)`,
      `  seconds:           ${seconds}`,
    ].join('\n'),
  );
  for (const issue of corpus.issues) process.stderr.write(`skipped ${issue.file}:${issue.line}: ${issue.reason}\n`);
});
