/**
 * Which hnswlib-node addon the index runs on. npm builds hnswlib-node for any x86-64 CPU, so its
 * distance kernels use SSE only; compiled for the installing machine's own CPU (`-march=native`,
 * AVX2 or AVX-512), the same graph answers the same queries in about 70% of the time (README,
 * Scaling). `npm install` runs `buildNativeHnswlib` (`npm run build-native`) once; a build that
 * fails, or a CPU without what the build used (an image built on one machine and run on
 * another), falls back to the portable addon with a one-line note, never a crash.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

type HnswLib = typeof import('hnswlib-node');

const require = createRequire(import.meta.url);

/** What `build-info.json` records beside a native build. */
export interface NativeBuildInfo {
  hnswlibVersion: string;
  platform: string;
  arch: string;
  cxxflags: string;
  cpuModel: string;
  /** The SIMD features of the CPU it was built on (`simdFeatures`): the binary may use any of them. */
  cpuFeatures: string[];
  seconds: number;
}

export interface HnswlibChoice {
  lib: Pick<HnswLib, 'HierarchicalNSW'>;
  /** Path that `require` loads the addon from (worker threads load the same one). */
  path: string;
  kind: 'native' | 'portable';
  /** For logs: "built for this CPU (avx512f, avx2, fma)", or why the portable addon is used. */
  detail: string;
}

function hnswlibPackageDir(): string {
  return dirname(require.resolve('hnswlib-node/package.json'));
}

/** Where the native build lives: inside node_modules, so a fresh `npm ci` starts without one. */
export function nativeBuildDir(): string {
  return join(dirname(hnswlibPackageDir()), '.cache', 'litbot-hnswlib-native');
}

function hnswlibVersion(): string {
  return (JSON.parse(readFileSync(join(hnswlibPackageDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

const SIMD = /^(sse|ssse3|avx|fma|f16c|bmi|popcnt|lzcnt|abm|movbe|amx|vaes|vpclmulqdq|gfni|adx)/;

/** The CPU's instruction-set extensions that compiled code may use (from /proc/cpuinfo or sysctl). */
export function simdFeatures(): string[] {
  let text = '';
  try {
    if (process.platform === 'linux') text = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    else if (process.platform === 'darwin') text = execFileSync('sysctl', ['-n', 'machdep.cpu.features', 'machdep.cpu.leaf7_features'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return [
    ...new Set(
      text
        .toLowerCase()
        .replace(/\./g, '_')
        .split(/\s+/)
        .filter((f) => SIMD.test(f)),
    ),
  ].sort();
}

/**
 * Whether a native build can run here, or why not. Pure, for the tests: the build's CPU features
 * must all be present, and it must belong to the installed hnswlib-node.
 */
export function nativeBuildUsable(
  info: NativeBuildInfo,
  here: { features: string[]; hnswlibVersion: string; platform: string; arch: string },
): { ok: true } | { ok: false; why: string } {
  if (info.platform !== here.platform || info.arch !== here.arch) return { ok: false, why: `it was built for ${info.platform}-${info.arch}` };
  if (info.hnswlibVersion !== here.hnswlibVersion) return { ok: false, why: `it was built from hnswlib-node ${info.hnswlibVersion}, ${here.hnswlibVersion} is installed` };
  const have = new Set(here.features);
  const missing = info.cpuFeatures.filter((f) => !have.has(f));
  if (missing.length) return { ok: false, why: `this CPU lacks ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ', ...' : ''}, which the build's CPU had` };
  return { ok: true };
}

/** A short summary of the widest vector units a build may use. */
function simdSummary(features: string[]): string {
  const best = ['avx512f', 'avx2', 'fma', 'avx'].filter((f) => features.includes(f));
  return best.length ? best.join(', ') : 'no AVX';
}

/** The recorded native build, and whether it can run here; undefined when there is none. */
export function nativeBuildStatus(): { addon: string; info: NativeBuildInfo; usable: ReturnType<typeof nativeBuildUsable> } | undefined {
  const dir = nativeBuildDir();
  const addon = join(dir, 'build', 'Release', 'addon.node');
  const infoFile = join(dir, 'build-info.json');
  if (!existsSync(addon) || !existsSync(infoFile)) return undefined;
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as NativeBuildInfo;
  return { addon, info, usable: nativeBuildUsable(info, { features: simdFeatures(), hnswlibVersion: hnswlibVersion(), platform: process.platform, arch: process.arch }) };
}

let chosen: HnswlibChoice | undefined;

/**
 * The hnswlib-node addon to use: the build for this CPU when there is a usable one, otherwise
 * the portable one npm installed. Chosen once per process.
 */
export function hnswlib(): HnswlibChoice {
  if (chosen) return chosen;
  const portable = (detail: string): HnswlibChoice => {
    try {
      const path = require.resolve('hnswlib-node');
      return { lib: require(path) as HnswLib, path, kind: 'portable', detail };
    } catch (error) {
      throw new Error(`hnswlib-node could not be loaded (${(error as Error).message}). Run: npm ci (it builds a native addon with node-gyp).`, { cause: error });
    }
  };
  const status = nativeBuildStatus();
  if (!status) {
    chosen = portable('portable build (SSE); npm run build-native compiles one for this CPU');
    return chosen;
  }
  const { addon, info, usable } = status;
  const dir = nativeBuildDir();
  if (!usable.ok) {
    process.stderr.write(`Note: not using the hnswlib-node build in ${dir}: ${usable.why}. Rebuild it with: npm run build-native\n`);
    chosen = portable(`portable build (SSE); the native build is not usable here (${usable.why})`);
    return chosen;
  }
  try {
    chosen = { lib: require(addon) as HnswLib, path: addon, kind: 'native', detail: `built for this CPU (${simdSummary(info.cpuFeatures)})` };
  } catch (error) {
    process.stderr.write(`Note: the hnswlib-node build in ${dir} did not load (${(error as Error).message}); using the portable one. Rebuild it with: npm run build-native\n`);
    chosen = portable('portable build (SSE); the native build did not load');
  }
  return chosen;
}

/** Compiler flags that target the installing CPU, or undefined where hnswlib has no SIMD kernels to gain. */
function nativeFlags(): string | undefined {
  if (process.arch !== 'x64' || (process.platform !== 'linux' && process.platform !== 'darwin')) return undefined;
  return '-O3 -march=native';
}

function nodeGypScript(): string {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // Not installed as a package here; npm's bundled copy is the usual one.
  }
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) throw new Error('node-gyp was not found (it ships with npm)');
  return found;
}

/**
 * A script run in a child process against a freshly built addon: exact top 5 of 40 queries over
 * 400 random vectors must come back. An addon that crashes (illegal instruction) or answers
 * wrongly is never used.
 */
const SELF_CHECK = `
const { HierarchicalNSW } = require(process.argv[1]);
let seed = 7;
const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
const dim = 64, n = 400;
const rows = Array.from({ length: n }, () => { const v = Array.from({ length: dim }, rnd); const s = Math.hypot(...v); return v.map((x) => x / s); });
const index = new HierarchicalNSW('ip', dim);
index.initIndex({ maxElements: n, m: 16, efConstruction: 100, randomSeed: 1 });
rows.forEach((v, i) => index.addPoint(v, i));
index.setEf(100);
let hits = 0;
for (let q = 0; q < 40; q++) {
  const exact = rows.map((v, i) => ({ i, s: v.reduce((t, x, d) => t + x * rows[q][d], 0) })).sort((a, b) => b.s - a.s).slice(0, 5).map((c) => c.i);
  const got = new Set(index.searchKnn(rows[q], 5).neighbors);
  hits += exact.filter((i) => got.has(i)).length;
}
if (hits < 190) { console.error('recall ' + hits / 200); process.exit(1); }
`;

/**
 * Compiles hnswlib-node's sources for this CPU into `dir`, checks the result in a
 * child process and records what it was built for. Returns what happened; never throws, so that
 * `npm install` never fails because of it (the portable addon stays in use).
 */
export async function buildNativeHnswlib(log: (line: string) => void, dir = nativeBuildDir()): Promise<{ built: boolean; message: string }> {
  const flags = nativeFlags();
  if (!flags) return { built: false, message: `skipped: hnswlib's SIMD kernels are for x86-64 (this is ${process.platform}-${process.arch}); the portable build is as fast here` };
  const run = promisify(execFile);
  const started = performance.now();
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const pkg = hnswlibPackageDir();
    cpSync(join(pkg, 'src'), join(dir, 'src'), { recursive: true });
    // hnswlib-node's binding.gyp, with node-addon-api's headers resolved from hnswlib-node itself.
    // (Its include_dir is relative to the working directory; the package folder holds napi.h.)
    const includeDir = dirname(createRequire(join(pkg, 'package.json')).resolve('node-addon-api/package.json'));
    const gyp = readFileSync(join(pkg, 'binding.gyp'), 'utf8').replace(/<!\(node -p \\"require\('node-addon-api'\).include_dir\\"\)/, includeDir.replace(/\\/g, '/'));
    writeFileSync(join(dir, 'binding.gyp'), gyp);
    log(`Compiling hnswlib-node ${hnswlibVersion()} for this CPU (${flags}, ${simdSummary(simdFeatures())}); about 15-60 s ...`);
    await run(process.execPath, [nodeGypScript(), 'rebuild'], {
      cwd: dir,
      env: { ...process.env, CXXFLAGS: `${process.env.CXXFLAGS ?? ''} ${flags}`.trim() },
      maxBuffer: 64 * 2 ** 20,
    });
    const addon = join(dir, 'build', 'Release', 'addon.node');
    await run(process.execPath, ['-e', SELF_CHECK, addon], { timeout: 60_000 });
    const info: NativeBuildInfo = {
      hnswlibVersion: hnswlibVersion(),
      platform: process.platform,
      arch: process.arch,
      cxxflags: flags,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cpuFeatures: simdFeatures(),
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    };
    writeFileSync(join(dir, 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);
    return { built: true, message: `hnswlib-node built for this CPU in ${info.seconds} s (${dir}); the index uses it from now on` };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const e = error as Error & { stderr?: string };
    // node-gyp ends with generic lines; the compiler's or gyp's first error says what went wrong.
    const lines =
      e.stderr
        ?.split('\n')
        .map((l) => l.trim())
        .filter(Boolean) ?? [];
    const why = (lines.find((l) => /error|not found|ERR! stack Error/i.test(l) && !/gyp ERR! (cwd|node -v|node-gyp -v|not ok|System|command)/.test(l)) ?? e.message).slice(0, 400);
    return { built: false, message: `could not build hnswlib-node for this CPU, so the portable build stays in use (search about 1.35x slower at 1M vectors): ${why}` };
  }
}
