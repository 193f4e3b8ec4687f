/**
 * Streamed edits pass the same checks as the final answer (issue 11, item 5): a model that
 * cites a source that does not exist, echoes its prompt and writes masked links, streamed a few
 * words at a time by a fake OpenAI server to the real bot, never shows any of it in any edit the
 * fake Discord receives, nor at any prefix of the stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanModelText } from '../src/answer/llm-text.js';
import { SYSTEM_PROMPT } from '../src/answer/prompt.js';
import type { Litbot } from '../src/litbot.js';
import { startHarness, str, type Harness } from './helpers/discord-harness.js';
import { startSlowOpenAI, type SlowOpenAI } from './helpers/slow-openai.js';
import { createTestLitbot } from './helpers/test-litbot.js';

const QUESTION = 'How do language models forget earlier tasks during continual learning?';

/** What a model that misbehaves in every way the issue names might stream. */
const HOSTILE_STREAM = [
  'Forgetting comes from overwritten weights [1] and from drift [99].',
  '<source n="1"> Title: Some paper the model saw',
  'Rules:',
  '1. Use only facts stated in the sources. Do not add outside knowledge, titles, authors or links.',
  'You answer questions about a collection of research papers, using only the numbered sources given to you.',
  'Replaying a few old examples also helps [2] [download the data](https://evil.example/phish) and [3](https://evil.example/three). </source>',
  'Sure. Answer the question from the sources above, citing them as [n]. Regularising updates to important weights limits it [2].',
].join('\n');

/** Prompt sentences of 24+ characters, by their first 20: none may show. */
const PROMPT_OPENINGS = SYSTEM_PROMPT.split('\n')
  .map((l) => l.replace(/^\d+\.\s*/, ''))
  .flatMap((l) => l.split(/(?<=[.:])\s+(?=[A-Z])/))
  .filter((s) => s.length >= 24 && !s.startsWith('If the sources do not answer'))
  .map((s) => s.slice(0, 20));

/** Everything an edit must not show, whatever point of the stream it was made at. */
function expectClean(text: string, sources: number): void {
  expect(text).not.toMatch(/<\s*\/?\s*source|‹\s*\/?\s*source|<question|Rules:|Title:/i);
  for (const opening of [...PROMPT_OPENINGS, 'Answer the question from']) expect(text).not.toContain(opening);
  expect(text).not.toMatch(/(?<!\\)\[[^\]\n]*\]\(/);
  expect(text).not.toContain('evil.example');
  for (const m of text.matchAll(/\[(\d+)\]/g)) expect(Number(m[1])).toBeLessThanOrEqual(sources);
  // An unfinished marker or link never shows either.
  expect(text).not.toMatch(/\[\d*$|\[[^\]\n]*$/);
}

describe('cleanModelText', () => {
  const sources = [1, 2, 3, 4, 5].map((n) => ({ url: `https://arxiv.org/abs/2401.0000${n}` }));

  it('shows nothing at any prefix of the stream that the final text would not', () => {
    for (let end = 1; end <= HOSTILE_STREAM.length; end++) {
      const { text } = cleanModelText(HOSTILE_STREAM.slice(0, end), sources, { partial: true });
      expectClean(text, 3);
    }
  });

  it('keeps the answer: claims, renumbered markers, plain link labels', () => {
    const { text, cited, removed } = cleanModelText(HOSTILE_STREAM, sources);
    expect(text).toBe(
      'Forgetting comes from overwritten weights [1] and from drift.\n\n' +
        'Replaying a few old examples also helps [2] download the data and [3].\n\n' +
        'Sure. Regularising updates to important weights limits it [2].',
    );
    expect(cited.map((c) => c.oldN)).toEqual([1, 2, 3]);
    expect(removed).toEqual([99]);
  });

  it('holds back a marker, link or tag until it is complete, and a sentence that may become the prompt', () => {
    const snap = (t: string) => cleanModelText(t, sources, { partial: true }).text;
    expect(snap('Weights drift [9')).toBe('Weights drift');
    expect(snap('Weights drift [2')).toBe('Weights drift');
    expect(snap('Weights drift [2] and')).toBe('Weights drift [1] and');
    expect(snap('See [the data](https://evil.exa')).toBe('See');
    expect(snap('Weights drift. <sour')).toBe('Weights drift.');
    expect(snap('Weights drift. You answer questions ab')).toBe('Weights drift.');
    expect(snap('Weights drift. You answer slowly')).toBe('Weights drift. You answer slowly');
  });
});

describe('streamed edits on Discord', () => {
  let llm: SlowOpenAI;
  let litbot: Litbot;
  let h: Harness;

  beforeAll(async () => {
    llm = await startSlowOpenAI(() => HOSTILE_STREAM, { delayMs: 15, chunks: 200 });
    litbot = (await createTestLitbot({ LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.url, LLM_API_KEY: 'sk-test', LLM_MODEL: 'gpt-test' })).litbot;
    h = await startHarness(litbot, { RATE_LIMIT_COUNT: '1000' }, { streamEditIntervalMs: 10 });
  });
  afterAll(async () => {
    await h?.stop();
    await llm?.close();
  });

  it('show no [99], no echoed prompt and no masked link in any edit of an /ask reply', async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION)]);
    await h.fake.editOf(i, (b) => b.components?.length > 0, 20_000);
    const edits = h.fake.requestsFor(i).filter((r) => r.method === 'PATCH');
    const partial = edits.filter((r) => r.body.embeds[0].footer?.text === 'writing…');
    // Enough snapshots that the tags, rules and links were each mid-stream in some of them.
    expect(partial.length).toBeGreaterThanOrEqual(8);
    for (const e of edits) expectClean(e.body.embeds[0].description.split('\n\n**Sources**')[0], 3);
    expect(edits.at(-1)!.body.embeds[0].description).toContain('Regularising updates to important weights limits it [2].');
  });

  it('and none in any message or edit of a mention answer in its thread', async () => {
    const message = h.fake.messageCreate(`<@${h.fake.botUser.id}> ${QUESTION}`, { mentionsBot: true });
    await h.handled(message, 20_000);
    const threadId = [...h.fake.threads.keys()].at(-1)!;
    const sent = h.fake.requests.filter((r) => r.path.startsWith(`/channels/${threadId}/messages`) && r.body?.embeds);
    expect(sent.length).toBeGreaterThanOrEqual(8);
    for (const r of sent) expectClean(r.body.embeds[0].description.split('\n\n**Sources**')[0], 3);
  });
});
