import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, VERSION, displayDir, projectPath } from '../src/config/paths.js';

describe('project paths', () => {
  it('finds the project root from the module, wherever the process runs', () => {
    expect(existsSync(projectPath('package.json'))).toBe(true);
    expect(existsSync(projectPath('commands', 'ask.ts'))).toBe(true);
    expect(PROJECT_ROOT).not.toMatch(/[\\/](src|dist)$/);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('names relative folders with a leading ./ so that a folder called index reads as a folder', () => {
    expect(displayDir('index')).toBe('./index');
    expect(displayDir('./index/')).toBe('./index');
    expect(displayDir('../shared/index')).toBe('../shared/index');
    expect(displayDir('/var/lib/litbot/index')).toBe('/var/lib/litbot/index');
    expect(displayDir('.')).toBe('.');
  });
});
