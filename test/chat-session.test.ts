import { beforeAll, describe, expect, it } from 'vitest';
import { createAnswerer } from '../src/answer/answerer.js';
import { PaperBrowser } from '../src/browse/paper-browser.js';
import { buildTopics } from '../src/browse/topics.js';
import { createChatSession } from '../src/cli/chat-session.js';
import type { Litbot } from '../src/litbot.js';
import { startFakeOpenAI } from './helpers/fake-llm-servers.js';
import { createTestLitbot, testEnv } from './helpers/test-litbot.js';

/** The test Litbot with `ask` and browsing served by the answer and browse modules, as the facade wires them. */
async function wiredLitbot(overrides: Record<string, string> = {}): Promise<Litbot> {
  const { litbot, index } = await createTestLitbot();
  // Until the index build's topic hook is wired, the topics come from the topics module directly.
  const topics = index.topics.length ? index.topics : buildTopics({ papers: index.papers, vectors: index.paperVectors });
  const browser = new PaperBrowser({ papers: index.papers, paperById: index.paperById, paperVectors: index.paperVectors, titles: index.titles, topics });
  const env = { ...testEnv(overrides), INDEX_DIR: index.dir };
  const answerer = createAnswerer({
    env,
    retrieve: (q, o) => litbot.search(q, o),
    corpus: index.papers,
    paperById: (id) => index.paperById.get(id),
    topicOf: (id) => browser.topicOf(id),
    retryBaseMs: 10,
  });
  const own: Partial<Litbot> = {
    ask: (q, o) => answerer.answer(q, o),
    topics: () => browser.topics(),
    topic: (q) => browser.topic(q),
    topicOf: (id) => browser.topicOf(id),
    lookup: (q, l) => browser.lookup(q, l),
    paper: (q) => browser.paper(q),
    similar: async (q, k) => browser.similar(q, k),
    about: () => ({ ...litbot.about(), backend: answerer.backend, model: answerer.model }),
  };
  return new Proxy(litbot, {
    get: (target, prop) => (prop in own ? own[prop as keyof Litbot] : (Reflect.get(target, prop, target)?.bind?.(target) ?? Reflect.get(target, prop, target))),
  });
}

function driver(litbot: Litbot, stream = false) {
  const out: string[] = [];
  const session = createChatSession(litbot, { write: (text, partial) => out.push(partial ? text : `${text}\n`), stream });
  return {
    session,
    /** Sends a line and returns what it printed. */
    async say(line: string) {
      const from = out.length;
      const goOn = await session.handle(line);
      return { text: out.slice(from).join(''), goOn, pieces: out.length - from };
    },
  };
}

describe('the chat session', () => {
  let litbot: Litbot;
  beforeAll(async () => {
    litbot = await wiredLitbot();
  });

  it('answers a question with numbered sources and links, then keeps it for a follow-up', async () => {
    const chat = driver(litbot);
    const first = await chat.say('How does MIGU use gradient magnitudes to avoid catastrophic forgetting in continual learning?');
    expect(first.text).toMatch(/\[1\]/);
    expect(first.text).toMatch(/Sources:\n {2}\[1\] .+\n {6}https:\/\/arxiv\.org\//);
    expect(first.text).toContain('(extractive');
    const second = await chat.say('what about its results?');
    expect(second.text).toMatch(/Sources:/);
    expect(chat.session.history).toHaveLength(2);
    expect(chat.session.history[1].answer.citations[0].paperId).toBe(chat.session.history[0].answer.citations[0].paperId);
  });

  it('serves /help, /topics, /paper, /similar, /search and /about', async () => {
    const chat = driver(litbot);
    expect((await chat.say('/help')).text).toMatch(/\/topics[\s\S]*\/paper[\s\S]*\/similar[\s\S]*\/search/);
    const topics = (await chat.say('/topics')).text;
    expect(topics).toMatch(/^\d+ topics:/);
    expect((await chat.say('/topics 1')).text).toMatch(/^#1 .+ \(\d+ papers, most central first\)/);
    const paper = (await chat.say('/paper unlocking continual learning abilities')).text;
    expect(paper).toMatch(/^Unlocking Continual Learning Abilities in Language Models\n {2}https:\/\//);
    expect((await chat.say('/similar unlocking continual learning abilities')).text).toMatch(/^Papers like "Unlocking Continual Learning Abilities in Language Models":\n {2}1\. /);
    expect((await chat.say('/search text-to-SQL hallucination')).text).toContain('Before Generation, Align it!');
    expect((await chat.say('/about')).text).toMatch(/papers.*answers by extractive/);
  });

  it('explains mistakes in one line and keeps going', async () => {
    const chat = driver(litbot);
    expect((await chat.say('/paper')).text).toBe('Usage: /paper <title or part of it>\n');
    expect((await chat.say('/paper zzzz qqqq xxxx')).text).toMatch(/^No paper title matches "zzzz qqqq xxxx"/);
    expect((await chat.say('/frobnicate')).text).toMatch(/Unknown command \/frobnicate/);
    expect((await chat.say('/quit')).goOn).toBe(false);
  });

  it('forgets the conversation on /new', async () => {
    const chat = driver(litbot);
    await chat.say('How does MIGU avoid catastrophic forgetting in continual learning?');
    await chat.say('/new');
    expect(chat.session.history).toHaveLength(0);
  });

  it('prints an LLM answer as it streams', async () => {
    const server = await startFakeOpenAI({ text: 'MIGU updates only large-magnitude outputs, which keeps old tasks intact [1].' });
    try {
      const streaming = await wiredLitbot({ LLM_PROVIDER: 'openai', LLM_BASE_URL: server.url, LLM_MODEL: 'fake' });
      const chat = driver(streaming, true);
      const reply = await chat.say('How does MIGU use gradient magnitudes to avoid catastrophic forgetting in continual learning?');
      expect(reply.pieces).toBeGreaterThan(5);
      expect(reply.text.startsWith('MIGU updates only large-magnitude outputs')).toBe(true);
      // Streamed once, not printed again.
      expect(reply.text.match(/MIGU updates only/g)).toHaveLength(1);
      expect(reply.text).toMatch(/Sources:\n {2}\[1\]/);
    } finally {
      await server.close();
    }
  });
});
