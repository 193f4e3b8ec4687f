/** `npm run index`: reads the corpus and builds the index, with progress and a summary. */
import { loadConfig } from '../config/env.js';
import type { Corpus } from '../corpus/load-corpus.js';
import { where } from '../corpus/corpus-report.js';
import { createEmbedder } from '../indexing/embeddings/create-embedder.js';
import type { Manifest } from '../indexing/manifest.js';
import { publishToDatabase } from '../indexing/stores/pg-index.js';
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
    .option('--json', 'print the summary as JSON on stdout')
    .option('--no-wait', 'when another build of the same index is running, fail at once instead of waiting for it')
    .parse();
  const opts = cmd.opts<{ corpus?: string; out?: string; skipInvalid?: boolean; force?: boolean; resolveLinks?: boolean; json?: boolean; wait: boolean }>();
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
    wait: opts.wait,
    ...indexBuildHooks(env, { resolveLinks: opts.resolveLinks, log }),
    log,
    onEmbedProgress: (done, total) => bar.update(done, total),
  }).finally(async () => {
    bar.stop();
    await embedder.dispose?.();
  });
  const indexDir = opts.out ?? env.INDEX_DIR;
  const out = displayDir(indexDir);
  // VECTOR_STORE=pgvector: the bots read the index from Postgres; a new build is published there.
  await publishToDatabase(env, indexDir, embedder, { log, force: !result.upToDate });
  const { manifest, corpus } = result;
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summaryJson(result.upToDate, indexDir, manifest, corpus, seconds))}\n`);
    return;
  }
  if (result.upToDate) {
    console.log(`The index in ${out} is up to date (${manifest.counts.papers} papers, built ${manifest.builtAt}); use --force to rebuild.`);
    console.log(corpusReport(corpus).join('\n'));
    return;
  }
  console.log(
    [
      `Indexed ${manifest.counts.papers} papers into ${out}`,
      `  files:             ${manifest.counts.files}`,
      `  entries read:      ${manifest.counts.entries}`,
      ...corpusReport(corpus),
      `  invalid blocks:    ${manifest.counts.invalidSkipped}${manifest.counts.invalidSkipped ? ' (skipped)' : ''}`,
      `  chunks:            ${manifest.counts.chunks}`,
      `  embedded:          ${manifest.embedded.computed} new, ${manifest.embedded.reused} reused from cache`,
      `  topics:            ${manifest.counts.topics}`,
      `  embeddings:        ${manifest.embeddings.id} (${manifest.embeddings.dimensions} dimensions)`,
      `  seconds:           ${seconds}`,
    ].join('\n'),
  );
  for (const issue of corpus.issues) process.stderr.write(`skipped ${where(issue)}: ${issue.reason}\n`);
});

/** Each merge with both sources, and each note: nothing merged or assumed goes unsaid. */
function corpusReport(corpus: Corpus): string[] {
  const lines = [`  duplicates merged: ${corpus.merges.length}`];
  for (const m of corpus.merges) lines.push(`    ${where(m.sources[1])} into ${where(m.sources[0])} (${m.reason}): ${m.title}`);
  if (corpus.notes.length) lines.push(`  notes:             ${corpus.notes.length}`, ...corpus.notes.map((n) => `    ${where(n)}: ${n.message}`));
  return lines;
}

function summaryJson(upToDate: boolean, indexDir: string, manifest: Manifest, corpus: Corpus, seconds: number) {
  return {
    upToDate,
    indexDir,
    papers: manifest.counts.papers,
    files: manifest.counts.files,
    entries: manifest.counts.entries,
    duplicatesMerged: corpus.merges.length,
    merges: corpus.merges.map((m) => ({ paperId: m.paperId, title: m.title, reason: m.reason, sources: m.sources.map(where) })),
    invalid: corpus.issues.map((i) => ({ file: i.file, line: i.line, reason: i.reason })),
    notes: corpus.notes.map((n) => ({ file: n.file, line: n.line ?? 0, message: n.message })),
    chunks: manifest.counts.chunks,
    embedded: manifest.embedded,
    topics: manifest.counts.topics,
    embeddings: manifest.embeddings,
    builtAt: manifest.builtAt,
    seconds,
  };
}
