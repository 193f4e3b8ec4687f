import { beforeAll, describe, expect, it } from 'vitest';
import { assessVagueness, subjectOf } from '../src/answer/overview.js';
import { buildPostings } from '../src/answer/term-postings.js';
import { createChatSession } from '../src/cli/chat-session.js';
import type { Litbot } from '../src/litbot.js';
import { seedPapers } from './helpers/lexical-retrieve.js';
import { createTestLitbot } from './helpers/test-litbot.js';

describe('subjectOf', () => {
  it('takes the subject out of a broad question and refuses a specific one', () => {
    expect(subjectOf('tell me about fine-tuning')).toBe('fine-tuning');
    expect(subjectOf('anything on unlearning?')).toBe('unlearning');
    expect(subjectOf('what do u have on llm agents')).toBe('llm agents');
    expect(subjectOf('rag')).toBe('rag');
    expect(subjectOf('how does fine-tuning affect reasoning?')).toBeUndefined();
    expect(subjectOf('what about its results?')).toBeUndefined();
    expect(subjectOf('which papers study machine unlearning and privacy in vision models?')).toBeUndefined();
  });
});

describe('assessVagueness on the seed papers', () => {
  const postings = buildPostings(seedPapers());

  it('finds broad subjects many papers share', () => {
    for (const q of ['tell me about fine-tuning', 'anything on unlearning?', 'rag', 'continual learning', 'knowledge distillation']) {
      const v = assessVagueness(q, postings);
      expect(v.vague, `${q}: ${v.reason}`).toBe(true);
      expect(v.matching.length).toBeGreaterThanOrEqual(4);
    }
  });

  it('leaves named methods, rare subjects and words the collection lacks to the answer', () => {
    for (const q of ['MIGU', 'tell me about MIGU', 'hedgehog', 'anything on sourdough?', 'What does MIGU do?']) {
      expect(assessVagueness(q, postings).vague, q).toBe(false);
    }
    expect(assessVagueness('tell me about MIGU', postings).reason).toMatch(/specific/);
  });
});

describe('an overview through Litbot on the seed papers', () => {
  let litbot: Litbot;
  beforeAll(async () => {
    litbot = (await createTestLitbot()).litbot;
  });

  it('answers "tell me about fine-tuning" with topics, a cited line per central paper and a hint to narrow down', async () => {
    const result = await litbot.ask('tell me about fine-tuning');
    expect(result.kind).toBe('overview');
    expect(result.refused).toBe(false);
    expect(result.citations.length).toBeGreaterThanOrEqual(2);
    const lines = result.answer.split('\n');
    expect(lines[0]).toMatch(/^"fine-tuning" comes up in \d+ papers here/);
    const bullets = lines.filter((l) => l.startsWith('• '));
    expect(bullets).toHaveLength(result.citations.length);
    for (const [i, b] of bullets.entries()) expect(b).toContain(`[${i + 1}]`);
    for (const c of result.citations)
      expect(
        seedPapers()
          .find((p) => p.id === c.paperId)!
          .abstract.toLowerCase(),
      ).toMatch(/fine-?tun/);
    expect(lines.at(-1)).toMatch(/^Ask about one of them to narrow it down, e\.g\. "/);
  });

  it("names the index's own topics the subject belongs to", async () => {
    const result = await litbot.ask('anything on unlearning?');
    expect(result.kind).toBe('overview');
    const named = [...result.answer.split('\n')[0].matchAll(/\*\*(.+?)\*\*/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    const labels = litbot.topics().map((t) => t.label);
    for (const n of named) expect(labels).toContain(n);
  });

  it('works in the terminal chat: a greeting without sources or status line, then an overview with its sources', async () => {
    const printed: string[] = [];
    const chat = createChatSession(litbot, { write: (text) => printed.push(text) });
    await chat.handle('hi');
    expect(printed.join('\n')).toMatch(/^Hi! I'm Litbot\./);
    expect(printed.join('\n')).not.toMatch(/Sources:|\(extractive/);
    printed.length = 0;
    await chat.handle('tell me about fine-tuning');
    const overview = printed.join('\n');
    expect(overview).toMatch(/^"fine-tuning" comes up in \d+ papers here/);
    expect(overview).toMatch(/Sources:\n {2}\[1\] /);
    expect(chat.history.map((t) => t.answer.kind)).toEqual(['smalltalk', 'overview']);
  });
});
