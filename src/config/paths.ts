/**
 * Where Litbot's own files are, and how folders are named in messages. The project root is found
 * by walking up from this module, so it is the same whether the code runs from `src/` (tsx, tests)
 * or from the compiled `dist/src/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'litbot') return dir;
    if (dirname(dir) === dir) throw new Error(`Cannot find Litbot's package.json above ${from}`);
  }
}

/** The folder holding Litbot's `package.json`, `commands/` and `test/fixtures/`. */
export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project, e.g. `projectPath('test', 'fixtures', 'questions.json')`. */
export function projectPath(...parts: string[]): string {
  return join(PROJECT_ROOT, ...parts);
}

/** Litbot's version, from its `package.json`. */
export const VERSION = (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;

/**
 * A folder as a message should name it: relative ones start with `./` ("No index in ./index"), so
 * that a folder called `index` does not read as a word of the sentence; absolute ones stay as given.
 */
export function displayDir(dir: string): string {
  const clean = normalize(dir).replace(/[\\/]+$/, '') || '.';
  if (isAbsolute(clean) || clean === '.' || clean.startsWith('./') || clean.startsWith('../')) return clean;
  return `./${clean}`;
}
