import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildNativeHnswlib, hnswlib, nativeBuildStatus, nativeBuildUsable, type NativeBuildInfo, simdFeatures } from '../src/indexing/hnswlib-build.js';

const info: NativeBuildInfo = {
  hnswlibVersion: '3.0.0',
  platform: 'linux',
  arch: 'x64',
  cxxflags: '-O3 -march=native',
  cpuModel: 'test',
  cpuFeatures: ['avx', 'avx2', 'avx512f', 'fma', 'sse4_2'],
  seconds: 1,
};
const here = { features: ['avx', 'avx2', 'avx512f', 'avx512bw', 'fma', 'sse4_2'], hnswlibVersion: '3.0.0', platform: 'linux', arch: 'x64' };

describe('choosing the hnswlib-node addon', () => {
  it('uses a native build only on a CPU with every SIMD feature it was built with, from the same hnswlib-node', () => {
    expect(nativeBuildUsable(info, here)).toEqual({ ok: true });
    // An image built on an AVX-512 machine, run on one without: the portable addon, with the reason.
    const older = nativeBuildUsable(info, { ...here, features: ['avx', 'avx2', 'fma', 'sse4_2'] });
    expect(older).toEqual({ ok: false, why: expect.stringContaining('lacks avx512f') });
    expect(nativeBuildUsable(info, { ...here, hnswlibVersion: '3.1.0' })).toEqual({ ok: false, why: expect.stringContaining('hnswlib-node 3.0.0, 3.1.0 is installed') });
    expect(nativeBuildUsable(info, { ...here, arch: 'arm64' })).toEqual({ ok: false, why: expect.stringContaining('linux-x64') });
  });

  it('reads the SIMD features of this CPU', () => {
    if (process.platform !== 'linux' || process.arch !== 'x64') return;
    const features = simdFeatures();
    expect(features).toContain('sse2');
    expect(features.every((f) => /^(sse|ssse3|avx|fma|f16c|bmi|popcnt|lzcnt|abm|movbe|amx|vaes|vpclmulqdq|gfni|adx)/.test(f))).toBe(true);
  });

  it('runs the index on the build npm install made for this CPU, when it made one', () => {
    const status = nativeBuildStatus();
    // CI installs with `npm ci`, whose postinstall must have built it on this x86-64 Linux runner.
    if (process.env.CI && process.platform === 'linux' && process.arch === 'x64') expect(status, 'npm ci should have run npm run build-native').toBeDefined();
    if (!status) {
      expect(hnswlib().kind).toBe('portable');
      return;
    }
    expect(status.usable).toEqual({ ok: true });
    expect(hnswlib().kind).toBe('native');
    expect(hnswlib().path).toContain('litbot-hnswlib-native');
  });
});

describe.runIf(process.arch === 'x64' && (process.platform === 'linux' || process.platform === 'darwin'))('npm run build-native', () => {
  it('compiles hnswlib-node for this CPU, and it finds the same neighbours as the portable addon in the same saved graph', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'litbot-native-'));
    try {
      const lines: string[] = [];
      const result = await buildNativeHnswlib((l) => lines.push(l), dir);
      expect(result.message).toContain('built for this CPU');
      expect(result.built).toBe(true);
      expect(lines[0]).toMatch(/Compiling hnswlib-node .* -march=native/);
      const recorded = JSON.parse(readFileSync(join(dir, 'build-info.json'), 'utf8')) as NativeBuildInfo;
      expect(recorded.cpuFeatures).toEqual(simdFeatures());

      const require = createRequire(import.meta.url);
      const portable = require('hnswlib-node') as typeof import('hnswlib-node');
      const native = require(join(dir, 'build', 'Release', 'addon.node')) as typeof import('hnswlib-node');
      let seed = 3;
      const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
      const dim = 96;
      const rows = Array.from({ length: 3000 }, () => {
        const v = Array.from({ length: dim }, random);
        const norm = Math.hypot(...v);
        return v.map((x) => x / norm);
      });
      const graph = new portable.HierarchicalNSW('ip', dim);
      graph.initIndex({ maxElements: rows.length, m: 16, efConstruction: 100, randomSeed: 1 });
      rows.forEach((v, i) => graph.addPoint(v, i));
      const file = join(dir, 'graph.bin');
      graph.writeIndexSync(file);
      const loaded = new native.HierarchicalNSW('ip', dim);
      loaded.readIndexSync(file);
      graph.setEf(64);
      loaded.setEf(64);
      let same = 0;
      for (let q = 0; q < 100; q++) {
        const query = rows[q * 29].map((x, d) => x + 0.01 * Math.sin(q + d));
        const a = graph.searchKnn(query, 10);
        const b = loaded.searchKnn(query, 10);
        const portableDistance = new Map(a.neighbors.map((id, i) => [id, a.distances[i]]));
        b.neighbors.forEach((id, i) => {
          if (!portableDistance.has(id)) return;
          same++;
          // Same distances up to float rounding: the SIMD kernels only sum in another order.
          expect(Math.abs(b.distances[i] - portableDistance.get(id)!)).toBeLessThan(1e-5);
        });
      }
      expect(same).toBeGreaterThanOrEqual(995);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('reports a build that fails, leaves nothing half-built, and never throws', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'litbot-native-'));
    const before = process.env.CXXFLAGS;
    process.env.CXXFLAGS = '-mno-such-option-litbot';
    try {
      const result = await buildNativeHnswlib(() => {}, dir);
      expect(result.built).toBe(false);
      expect(result.message).toMatch(/^could not build hnswlib-node for this CPU, so the portable build stays in use/);
      expect(result.message).toContain('-mno-such-option-litbot');
      expect(existsSync(dir)).toBe(false);
    } finally {
      if (before === undefined) delete process.env.CXXFLAGS;
      else process.env.CXXFLAGS = before;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
