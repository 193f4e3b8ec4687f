/**
 * Markdown and masked links (issue 11, item 2), end to end: the seed corpus plus a hostile paper
 * whose title, abstract, authors, venue and tags carry masked links, bare URLs, mentions and
 * Markdown, indexed for real, served by the real bot to the fake Discord. Every body Discord
 * receives must show that text as text: the only clickable links are the papers' own URLs.
 */
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { escapeMarkdown, link, safeAnswerMarkdown } from '../src/discord/markdown.js';
import type { Litbot } from '../src/litbot.js';
import { NO_PINGS, messageBodies, startHarness, str, type Harness } from './helpers/discord-harness.js';
import { startFakeOpenAI, type FakeLlmServer } from './helpers/fake-llm-servers.js';
import { createCorpusLitbot } from './helpers/test-litbot.js';

const PHISH = '[download here](https://evil.example/phish)';
const HOSTILE = {
  title: `Zorblat adapters ${PHISH} against catastrophic forgetting`,
  abstract:
    'Zorblat adapters keep a language model from forgetting earlier tasks during continual learning. ' +
    `Get the weights ${PHISH}, see <https://evil.example/angle> or https://evil.example/bare for code. ` +
    'Zorblat adapters cut forgetting by 40% and notify @everyone and <@&123456789012345678> with **bold** claims on five continual learning benchmarks.',
  url: 'https://arxiv.org/abs/2401.09999',
  authors: ['Eve [Mallory](https://evil.example/author)', '@here'],
  venue: '[NeurIPS](https://evil.example/venue)',
  tags: ['[click me](https://evil.example/tag)', '# heading'],
  date: '2024-01-05',
};
const QUESTION = 'How much do Zorblat adapters cut forgetting on continual learning benchmarks?';

let corpusDir: string;
let paperUrls: Set<string>;

beforeAll(() => {
  corpusDir = mkdtempSync(join(tmpdir(), 'litbot-hostile-'));
  for (const file of readdirSync('seeds')) copyFileSync(join('seeds', file), join(corpusDir, file));
  writeFileSync(join(corpusDir, 'hostile.jsonl'), `${JSON.stringify(HOSTILE)}\n`);
  paperUrls = new Set(loadCorpus(corpusDir).papers.map((p) => p.url));
});

const TEXT_KEYS = new Set(['content', 'title', 'description', 'name', 'value', 'text', 'label']);

/** Every string a body shows (message, embed and component texts). */
function texts(body: unknown, key = ''): string[] {
  if (typeof body === 'string') return TEXT_KEYS.has(key) ? [body] : [];
  if (Array.isArray(body)) return body.flatMap((v) => texts(v, key));
  if (body && typeof body === 'object') return Object.entries(body).flatMap(([k, v]) => texts(v, k));
  return [];
}

/** Every URL a Discord client would make clickable in `body`: masked links, bare and angled URLs, embed urls. */
function liveUrls(body: unknown): string[] {
  const urls: string[] = [];
  for (const t of texts(body)) {
    for (const m of t.matchAll(/(?<!\\)\[(?:[^\[\]\\\n]|\\.)*\]\(([^()\s]+)\)/g)) urls.push(m[1]);
    for (const m of t.matchAll(/https?:\/\/[^\s<>()\]]+/g)) urls.push(m[0]);
  }
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k === 'url' && typeof x === 'string') urls.push(x);
        else walk(x);
      }
  };
  walk(body);
  return urls;
}

/** What a reader sees of escaped text. */
const shown = (text: string) => text.replace(/\u200b/g, '').replace(/\\(.)/g, '$1');

/** The checks every body sent must pass. */
function expectSafe(bodies: unknown[], allowed: Set<string> = paperUrls): void {
  expect(bodies.length).toBeGreaterThan(0);
  for (const body of bodies) {
    // `link` encodes parentheses in a URL so they cannot end the Markdown link early.
    for (const url of liveUrls(body)) expect(allowed.has(url.replace(/%28/g, '(').replace(/%29/g, ')')), `${url} is not a paper's own link`).toBe(true);
    for (const t of texts(body)) expect(t).not.toMatch(/@everyone|@here|<@&?\d/);
  }
}

describe('hostile corpus text, offline answers', () => {
  let h: Harness;
  let litbot: Litbot;
  let hostileId: string;

  beforeAll(async () => {
    const real = (await createCorpusLitbot(corpusDir)).litbot;
    hostileId = real.lookup('Zorblat adapters', 1)[0].paperId;
    // The real Litbot, but with a topic labelled by the hostile text (topic labels come from corpus words).
    // And one paper whose link is not http(s), which the corpus refuses but the display must not trust.
    litbot = Object.assign(Object.create(real) as Litbot, {
      topics: () => real.topics().map((t, i) => (i === 0 ? { ...t, label: `${PHISH} @everyone` } : t)),
      paperById: (id: string) => (id === 'js-paper' ? { ...real.paperById(hostileId)!, id, url: 'javascript:alert(1)' } : real.paperById(id)),
    });
    h = await startHarness(litbot, { RATE_LIMIT_COUNT: '1000' });
  });
  afterAll(() => h?.stop());

  it('/paper shows title, abstract, authors, venue and tags as text, linking only the paper itself', async () => {
    const i = h.fake.slash('paper', [str('title', hostileId)]);
    const body = (await h.fake.callbackOf(i)).body.data;
    const embed = body.embeds[0];
    expect(embed.url).toBe(HOSTILE.url);
    expect(shown(embed.title)).toBe(HOSTILE.title);
    expect(shown(embed.description)).toBe(HOSTILE.abstract);
    const field = (name: string) => shown(embed.fields.find((f: any) => f.name === name).value);
    expect(field('Authors')).toBe(HOSTILE.authors.join(', '));
    expect(field('Venue')).toBe(HOSTILE.venue);
    expect(field('Tags')).toBe(HOSTILE.tags.join(', '));
    expectSafe([body]);
    expect(liveUrls(body)).toEqual([HOSTILE.url]);
  });

  it('/paper links nothing for a paper whose link is not http(s)', async () => {
    const body = (await h.fake.callbackOf(h.fake.slash('paper', [str('title', 'js-paper')]))).body.data;
    expect(body.embeds[0].url).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain('javascript:');
    expectSafe([body]);
  });

  it('/search and /similar list the hostile title and passage as text', async () => {
    const search = h.fake.slash('search', [str('query', 'Zorblat adapters download weights')]);
    const found = (await h.fake.editOf(search)).body;
    expect(shown(found.embeds[0].description)).toContain(`[${HOSTILE.title}]`);
    expect(shown(found.embeds[0].description)).toContain(PHISH);

    const neighbour = (await litbot.similar(HOSTILE.title)).similar[0].paper;
    const similar = h.fake.slash('similar', [str('title', neighbour.id)]);
    const listed = (await h.fake.editOf(similar)).body;
    expectSafe([found, listed]);
  });

  it('/ask and its Evidence view quote the hostile paper as text, and so does a mention answer', async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION)]);
    const answer = (await h.fake.editOf(i, (b) => b.components?.length > 0)).body;
    const description: string = answer.embeds[0].description;
    expect(description).toContain(link(HOSTILE.title, HOSTILE.url));
    expect(shown(description)).toContain('notify @everyone and <@&123456789012345678> with **bold** claims');

    const evidenceId = answer.components[0].components[2].custom_id;
    const click = h.fake.button(evidenceId, answer);
    const evidence = (await h.fake.callbackOf(click)).body.data;
    expect(shown(evidence.embeds.map((e: any) => e.description).join('\n'))).toContain(`Get the weights ${PHISH}`);

    const message = h.fake.messageCreate(`<@${h.fake.botUser.id}> ${QUESTION}`, { mentionsBot: true });
    await h.handled(message);
    const threadId = [...h.fake.threads.keys()].at(-1)!;
    const inThread = h.fake.requests.filter((r) => r.path.startsWith(`/channels/${threadId}/messages`)).map((r) => r.body);
    expect(inThread.at(-1).embeds[0].description).toContain(link(HOSTILE.title, HOSTILE.url));
    expectSafe([answer, evidence, ...inThread]);
  });

  it('/topics shows a hostile topic label as text in the list and on the topic page', async () => {
    const topic = litbot.topics()[0];
    const list = (await h.fake.callbackOf(h.fake.slash('topics'))).body.data;
    expect(shown(list.embeds[0].description)).toContain(`**${PHISH} @everyone**`);
    const page = (await h.fake.callbackOf(h.fake.slash('topics', [str('topic', String(topic.id))]))).body.data;
    expect(shown(page.embeds[0].title)).toBe(`${PHISH} @everyone`);
    expectSafe([list, page]);
  });

  it('never pings, and leaves no unknown route behind', () => {
    expectSafe(messageBodies(h.fake.requests));
    for (const body of messageBodies(h.fake.requests)) expect(body.allowed_mentions).toEqual(NO_PINGS);
    expect(h.fake.problems).toEqual([]);
  });
});

describe('LLM answers', () => {
  let llm: FakeLlmServer;
  let h: Harness;

  beforeAll(async () => {
    llm = await startFakeOpenAI({
      text:
        `Zorblat adapters cut forgetting [1]. Get them [here](https://evil.example/phish) or from [the paper](${HOSTILE.url}); ` +
        `see [2](https://evil.example/two), https://evil.example/bare, <https://evil.example/angle> and ${HOSTILE.url} [1]. ` +
        'Tell @everyone and <@123456789012345678> [javascript](javascript:alert(1)).',
    });
    const { litbot } = await createCorpusLitbot(corpusDir, { LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.url, LLM_MODEL: 'gpt-test' });
    h = await startHarness(litbot, { RATE_LIMIT_COUNT: '1000' }, { streamEditIntervalMs: 20 });
  });
  afterAll(async () => {
    await h?.stop();
    await llm?.close();
  });

  it("keep only [n] markers, plain text and the cited papers' own links", async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION)]);
    const final = (await h.fake.editOf(i, (b) => b.components?.length > 0, 15_000)).body;
    const description: string = final.embeds[0].description;
    const [text] = description.split('\n\n**Sources**');
    expect(text).toBe(
      `Zorblat adapters cut forgetting [1]. Get them here or from [the paper](${HOSTILE.url}); see [2], and ${HOSTILE.url} [1]. ` +
        'Tell @\u200beveryone and <\u200b@123456789012345678> javascript.',
    );
    expect(description).toContain(`**[1]** ${link(HOSTILE.title, HOSTILE.url)}`);
    // Not in the final text, nor in any streamed edit before it (the hostile title in Sources is the corpus's, shown as text).
    const bodies = h.fake.requestsFor(i).map((r) => r.body);
    const edits = bodies.filter((b) => b.embeds);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    for (const b of edits) expect(b.embeds[0].description.split('**Sources**')[0]).not.toContain('evil.example');
    expectSafe(bodies, new Set([HOSTILE.url, ...final.embeds.flatMap((e: any) => liveUrls(e))]));
  });
});

describe('the display layer', () => {
  it('links only http(s) URLs, and escapes everything else it is given', () => {
    expect(link('A title', 'javascript:alert(1)')).toBe('A title');
    expect(link('A title', 'data:text/html,hi')).toBe('A title');
    expect(link('[x](y)', 'https://arxiv.org/abs/1')).toBe('[\\[x\\](y)](https://arxiv.org/abs/1)');
    expect(escapeMarkdown('see https://evil.example/x')).toBe('see https\\://evil.example/x');
    expect(safeAnswerMarkdown('[a](javascript:alert(1)) [b](https://ok.example) [3](https://ok.example)', ['https://ok.example'])).toBe('a [b](https://ok.example) [3]');
  });
});
