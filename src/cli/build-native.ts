/**
 * `npm run build-native`: compile hnswlib-node for this machine's CPU (AVX2 / AVX-512 distance
 * kernels), which `npm install` also does once. `--portable` removes that build, so the index
 * goes back to the addon npm installed; `--if-possible` (used by `npm install`) never fails.
 */
import { rmSync } from 'node:fs';
import { buildNativeHnswlib, nativeBuildDir, nativeBuildStatus } from '../indexing/hnswlib-build.js';
import { program, runCli } from './run-cli.js';

await runCli(async () => {
  const cmd = program('build-native', 'Compile hnswlib-node for this CPU, so vector search runs on its widest SIMD units.')
    .option('--portable', 'remove the build for this CPU; the index uses the portable addon npm installed')
    .option('--force', 'rebuild even when an up-to-date build exists')
    .option('--if-possible', 'report a failed build but exit 0 (how npm install runs it)')
    .parse();
  const opts = cmd.opts<{ portable?: boolean; force?: boolean; ifPossible?: boolean }>();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (opts.portable) {
    rmSync(nativeBuildDir(), { recursive: true, force: true });
    log(`Removed ${nativeBuildDir()}: the index uses the portable hnswlib-node build.`);
    return;
  }
  const status = nativeBuildStatus();
  if (status?.usable.ok && !opts.force) {
    log(`hnswlib-node is already built for this CPU (${nativeBuildDir()}); --force rebuilds it.`);
    return;
  }
  const result = await buildNativeHnswlib(log);
  log(result.message);
  if (!result.built && !opts.ifPossible && !result.message.startsWith('skipped')) process.exitCode = 1;
});
