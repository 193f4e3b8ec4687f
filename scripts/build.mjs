/**
 * `npm run build`: compiles the TypeScript into `dist/`, which `npm start` and every script run
 * with plain `node`. `--postinstall` (how `npm install` / `npm ci` run it) then compiles
 * hnswlib-node for this CPU, and when TypeScript is not installed (`--omit=dev`) it says so
 * instead of failing the install, since the scripts check the build before they run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, buildDistOrExit, checkBuild, findTsc } from './build-state.mjs';

const postinstall = process.argv.includes('--postinstall');
const log = (line) => process.stderr.write(`${line}\n`);

if (postinstall && !findTsc()) {
  const state = checkBuild();
  log(
    state.fresh
      ? 'TypeScript is not installed; using the existing dist/.'
      : `TypeScript is not installed, so dist/ was not built (${state.reason}); install the dev dependencies and run npm run build.`,
  );
} else {
  buildDistOrExit(log, 'Built');
}

if (postinstall && existsSync(join(DIST, 'src', 'cli', 'build-native.js'))) {
  // Never fails the install: the portable addon works, only slower.
  const native = spawnSync(process.execPath, [join(DIST, 'src', 'cli', 'build-native.js'), '--if-possible'], { stdio: ['ignore', 2, 2] });
  process.exitCode = native.status ?? 0;
}
