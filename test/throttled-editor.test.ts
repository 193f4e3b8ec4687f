import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { throttledEditor } from '../src/discord/throttled-editor.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('throttledEditor', () => {
  it('edits at most once per interval, one edit at a time, and sends the latest text', async () => {
    const edits: { text: string; at: number }[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const editor = throttledEditor(
      async (text) => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        edits.push({ text, at: performance.now() });
        await sleep(30);
        concurrent--;
      },
      100,
      pino({ level: 'silent' }),
    );
    let text = '';
    const started = performance.now();
    for (let i = 0; i < 40; i++) {
      text += `w${i} `;
      editor.push(text);
      await sleep(10);
    }
    await sleep(150);
    await editor.finish();
    const elapsed = performance.now() - started;
    expect(maxConcurrent).toBe(1);
    expect(edits.length).toBeGreaterThanOrEqual(3);
    // At most one edit per interval over however long the pushes took (a loaded machine stretches them).
    expect(edits.length).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 1);
    expect(edits.length).toBeLessThan(40);
    for (let i = 1; i < edits.length; i++) expect(edits[i].at - edits[i - 1].at).toBeGreaterThanOrEqual(95);
    expect(edits.at(-1)!.text).toBe(text);
  });

  it('sends nothing after finish()', async () => {
    const edits: string[] = [];
    const editor = throttledEditor(async (t) => void edits.push(t), 50, pino({ level: 'silent' }));
    editor.push('a');
    await sleep(5);
    await editor.finish();
    editor.push('b');
    await sleep(80);
    expect(edits).toEqual(['a']);
  });
});
