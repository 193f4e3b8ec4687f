/**
 * Whether `dist/` (the compiled build that `npm start` and the scripts run) matches the sources,
 * and how to rebuild it. Plain JavaScript, because it runs before anything is compiled.
 *
 * `dist/build-info.json` records each source file's size, mtime and hash at build time. A check
 * stats the sources (about a millisecond) and hashes only files whose size or mtime moved, so a
 * `git pull`, a branch switch or an edit is caught, and a `touch` alone is not mistaken for one.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file is in `scripts/`). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the compiled build lives. */
export const DIST = join(ROOT, 'dist');
const INFO = 'build-info.json';
/** What the compiler reads: the source folders and the compiler settings. */
const SOURCE_DIRS = ['src', 'commands'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json'];

/** @typedef {{ size: number, mtimeMs: number, sha256: string }} FileStamp */
/** @typedef {{ builtAt: string, files: Record<string, FileStamp> }} BuildInfo */

/** Every source file, relative to the root with `/` separators, sorted. */
function sourceFiles() {
  const files = SOURCE_FILES.filter((f) => existsSync(join(ROOT, f)));
  const walk = (dir) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && (entry.name.endsWith('.ts') || entry.name.endsWith('.json'))) files.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(ROOT, dir))) walk(dir);
  return files.sort();
}

function hashFile(path) {
  return createHash('sha256')
    .update(readFileSync(join(ROOT, path)))
    .digest('hex');
}

/** @returns {Record<string, FileStamp>} */
function stampSources() {
  /** @type {Record<string, FileStamp>} */
  const files = {};
  for (const path of sourceFiles()) {
    const { size, mtimeMs } = statSync(join(ROOT, path));
    files[path] = { size, mtimeMs, sha256: hashFile(path) };
  }
  return files;
}

/** @returns {BuildInfo | undefined} */
function readBuildInfo() {
  try {
    return JSON.parse(readFileSync(join(DIST, INFO), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * `{ fresh: true }` when `dist/` was built from the sources as they are now; otherwise why not
 * (`dist/ is missing`, `src/x.ts changed and 2 more`). Without a `src/` folder (a deployment that
 * ships only `dist/`) there is nothing to compare, and the build is taken as it is.
 * @returns {{ fresh: true } | { fresh: false, reason: string }}
 */
export function checkBuild() {
  const info = readBuildInfo();
  if (!info) return { fresh: false, reason: existsSync(DIST) ? 'dist/ has no build-info.json (an unfinished or foreign build)' : 'dist/ is missing' };
  if (!existsSync(join(ROOT, 'src'))) return { fresh: true };
  const changed = [];
  const now = sourceFiles();
  for (const path of now) {
    const was = info.files[path];
    if (!was) {
      changed.push(`${path} is new`);
      continue;
    }
    const { size, mtimeMs } = statSync(join(ROOT, path));
    if (size === was.size && mtimeMs === was.mtimeMs) continue;
    if (size !== was.size || hashFile(path) !== was.sha256) changed.push(`${path} changed`);
  }
  const present = new Set(now);
  for (const path of Object.keys(info.files)) if (!present.has(path)) changed.push(`${path} was removed`);
  if (!changed.length) return { fresh: true };
  return { fresh: false, reason: changed.length > 1 ? `${changed[0]}, and ${changed.length - 1} more since the build` : `${changed[0]} since the build` };
}

/** The TypeScript compiler's entry point, or undefined when TypeScript is not installed (`npm ci --omit=dev`). */
export function findTsc() {
  try {
    return createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

/**
 * Compiles `src/` and `commands/` into `dist/` (`tsconfig.build.json`). It builds into a
 * temporary folder and swaps it in, so a failed build leaves the previous `dist/` whole and a
 * running bot never sees half a build. Compiler output goes to standard error, keeping standard
 * output for results. Throws when TypeScript is missing or the code does not compile.
 */
export function buildDist() {
  const tsc = findTsc();
  if (!tsc) throw new Error('TypeScript is not installed (dev dependencies were left out): run npm install, then npm run build.');
  // Stamped before compiling: an edit made during the build shows as a change at the next check.
  const files = stampSources();
  const staging = `${DIST}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', staging], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  } catch {
    rmSync(staging, { recursive: true, force: true });
    throw new Error('The TypeScript build failed (errors above); dist/ was left as it was.');
  }
  /** @type {BuildInfo} */
  const info = { builtAt: new Date().toISOString(), files };
  writeFileSync(join(staging, INFO), `${JSON.stringify(info, null, 1)}\n`);
  const old = `${DIST}.old-${process.pid}`;
  if (existsSync(DIST)) renameSync(DIST, old);
  try {
    renameSync(staging, DIST);
  } catch (error) {
    // Another build swapped its own in first; that one is as new as this.
    if (!existsSync(DIST)) throw error;
    rmSync(staging, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}

/**
 * `buildDist`, timed and said on standard error as `<verb> dist/ in N s.`; on failure the reason is
 * said and the process exits 1.
 * @param {(line: string) => void} log
 * @param {string} verb
 */
export function buildDistOrExit(log, verb) {
  const started = performance.now();
  try {
    buildDist();
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  log(`${verb} dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}
