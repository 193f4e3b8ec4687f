/**
 * `/add` and `/remove` end to end: the real bot (discord.js) against the fake Discord, a fake
 * arXiv API, the real USE-lite embedder, and index builds in the bot's build process through
 * `updateIndex`; the bot serves each new generation without a restart.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Env } from '../src/config/env.js';
import { paperIdForTitle } from '../src/corpus/added-papers.js';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import type { Paper } from '../src/corpus/paper.js';
import { CollectionEditor } from '../src/discord/collection-editor.js';
import { defaultUser, fakeUser, type SentInteraction } from '../src/discord/testing/fake-discord.js';
import { ArxivClient } from '../src/indexing/arxiv-client.js';
import { createEmbedder } from '../src/indexing/embeddings/create-embedder.js';
import { updateIndex } from '../src/indexing/update-index.js';
import { createLitbot, indexBuildHooks, type Litbot } from '../src/litbot.js';
import { NO_PINGS, messageBodies, startHarness, str, type Harness } from './helpers/discord-harness.js';
import { startFakeArxiv, type FakeArxiv } from './helpers/fake-arxiv-server.js';

const seeds = loadCorpus('seeds').papers;
const byTitle = (start: string) => seeds.find((p) => p.title.startsWith(start))!;
const SHIPPED = seeds.slice(3, 17);
const NEW = byTitle('Unlocking Continual Learning');
const BY_URL = byTitle('Before Generation, Align it');
const FORM = byTitle('MUSCLE');
const DUP = SHIPPED[2];
const LIBRARIAN = '700000000000000001';
const MANAGE_GUILD = 32n;
/** Send Messages and Use Application Commands, no Manage Server. */
const MEMBER_PERMISSIONS = String((1n << 11n) | (1n << 31n));

const entry = (id: string, p: Paper) => ({ id, title: p.title, summary: p.abstract, authors: ['Wenyu Du', 'Shuang Cheng'], published: '2024-06-25T03:01:02Z' });

let root: string;
let env: Env;
let arxiv: FakeArxiv;
let litbot: Litbot;
let h: Harness;
const indexEvents: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'litbot-collection-'));
  const corpus = join(root, 'corpus');
  mkdirSync(corpus);
  writeFileSync(join(corpus, 'shipped.jsonl'), SHIPPED.map((p) => JSON.stringify({ title: p.title, abstract: p.abstract })).join('\n') + '\n');
  arxiv = await startFakeArxiv([entry('2406.17245v2', NEW), entry('2405.15307v1', BY_URL), entry('2401.00001v1', DUP)]);
  const vars = {
    CORPUS_DIR: corpus,
    INDEX_DIR: join(root, 'index'),
    CACHE_DIR: join(root, 'cache'),
    ARXIV_API_URL: arxiv.apiUrl,
    ARXIV_TIMEOUT_MS: '1000',
    LIBRARIAN_ROLE_ID: LIBRARIAN,
    RATE_LIMIT_COUNT: '1000',
    LOG_LEVEL: 'silent',
  };
  env = loadConfig(vars);
  const embedder = createEmbedder(env);
  await updateIndex({ env, embedder, ...indexBuildHooks(env) });
  litbot = await createLitbot({ env, embedder, watch: true, log: (line) => indexEvents.push(line) });
  h = await startHarness(
    litbot,
    { ...vars, LOG_LEVEL: 'info' },
    {
      fake: { roles: [{ id: LIBRARIAN, name: 'Librarians' }] },
      // arXiv asks for 3 s between requests; the fake does not.
      collection: (e, logger) =>
        new CollectionEditor({ env: e, litbot, logger, arxiv: new ArxivClient({ apiUrl: e.ARXIV_API_URL, timeoutMs: e.ARXIV_TIMEOUT_MS, minIntervalMs: 0 }) }),
    },
  );
}, 300_000);

afterAll(async () => {
  await h?.stop();
  await litbot?.close();
  await arxiv?.close();
  rmSync(root, { recursive: true, force: true });
});

const addedFile = () => join(env.CORPUS_DIR, 'added.jsonl');
const addedText = () => (existsSync(addedFile()) ? readFileSync(addedFile(), 'utf8') : '');
const buttonIds = (body: any): string[] => (body.components ?? []).flatMap((row: any) => row.components.map((c: any) => c.custom_id));

/** Runs `/add source:<source>` and returns the private preview (the edit of the deferred reply). */
async function preview(source: string, where = {}) {
  const i = h.fake.slash('add', [str('source', source)], where);
  const callback = await h.fake.callbackOf(i);
  expect(callback.body).toEqual({ type: 5, data: { flags: 64 } });
  return { i, body: (await h.fake.editOf(i, undefined, 15_000)).body };
}

/** Whatever the bot said for an interaction that failed early or late: the reply or the edit of the deferral. */
async function privateReply(i: SentInteraction): Promise<string> {
  await h.handled(i, 15_000);
  const bodies = messageBodies(h.fake.requestsFor(i));
  const last = bodies[bodies.length - 1];
  return last.content ?? '';
}

describe('registration', () => {
  it('registers /add and /remove for Manage Server, in servers only', async () => {
    const put = await h.fake.waitForRequest((r) => r.method === 'PUT');
    for (const name of ['add', 'remove']) {
      const command = put.body.find((c: any) => c.name === name);
      expect(command.default_member_permissions).toBe(String(MANAGE_GUILD));
      expect(command.contexts).toEqual([0]);
    }
  });
});

describe('/add by arXiv id', () => {
  it('previews the paper privately, adds it on Confirm, and answers a question about it from the new index without a restart', async () => {
    const before = litbot.about();
    const { body } = await preview('2406.17245');
    expect(body.content).toBe('Add this paper to the collection?');
    expect(body.embeds[0]).toMatchObject({ title: NEW.title, url: 'https://arxiv.org/abs/2406.17245' });
    expect(body.embeds[0].description.startsWith(NEW.abstract.slice(0, 80))).toBe(true);
    expect(body.embeds[0].fields).toEqual(
      expect.arrayContaining([
        { name: 'Authors', value: 'Wenyu Du, Shuang Cheng' },
        { name: 'Date', value: '2024-06-25', inline: true },
        { name: 'arXiv', value: '2406.17245', inline: true },
      ]),
    );
    expect(body.allowed_mentions).toEqual(NO_PINGS);
    const [confirm, cancel] = buttonIds(body);
    expect(confirm).toMatch(/^add:confirm:[0-9a-f]{12}$/);
    expect(cancel).toMatch(/^add:cancel:[0-9a-f]{12}$/);
    expect(arxiv.requests.at(-1)).toBe('/api/query?id_list=2406.17245&max_results=1');
    // Nothing is written before Confirm.
    expect(addedText()).toBe('');

    const click = h.fake.button(confirm, body);
    const update = await h.fake.callbackOf(click);
    expect(update.body.type).toBe(7);
    expect(update.body.data.content).toMatch(/^Adding “Unlocking Continual Learning Abilities in Language Models” and rebuilding the index…$/);
    expect(update.body.data.components).toEqual([]);
    const done = (await h.fake.editOf(click, (b) => typeof b.content === 'string' && !b.content.startsWith('Adding'), 120_000)).body;
    const topic = litbot.topicOf(paperIdForTitle(NEW.title));
    expect(topic).toBeDefined();
    expect(done.content).toBe(`Added: ${NEW.title}. Ask about it now. Topic: ${topic!.label}.`);
    expect(done.embeds[0]).toMatchObject({ title: NEW.title, url: 'https://arxiv.org/abs/2406.17245' });

    const record = JSON.parse(addedText().trim());
    expect(record).toMatchObject({
      title: NEW.title,
      url: 'https://arxiv.org/abs/2406.17245',
      arxivId: '2406.17245',
      authors: ['Wenyu Du', 'Shuang Cheng'],
      date: '2024-06-25',
      addedBy: { id: defaultUser.id, name: 'reader' },
    });
    expect(new Date(record.addedAt).getTime()).toBeGreaterThan(Date.now() - 300_000);

    const after = litbot.about();
    expect(after.generation).not.toBe(before.generation);
    expect(after.papers).toBe(before.papers + 1);
    expect(indexEvents.some((l) => l.startsWith(`Serving the new index ${after.generation}`))).toBe(true);

    const ask = h.fake.slash('ask', [str('question', 'How can language models keep learning new tasks without catastrophic forgetting, unlocking continual learning?')]);
    const answer = (await h.fake.editOf(ask, (b) => !!b.embeds?.[0]?.description && !/writing/.test(b.embeds[0].footer?.text ?? ''), 60_000)).body;
    expect(answer.embeds[0].description).toContain('Unlocking Continual Learning Abilities in Language Models](https://arxiv.org/abs/2406.17245)');
  }, 240_000);

  it('refuses the same paper again, by link this time, naming who added it', async () => {
    const text = addedText();
    const { body } = await preview('https://arxiv.org/abs/2406.17245v2');
    expect(body.content).toMatch(
      /^That paper is already in the collection: “Unlocking Continual Learning Abilities in Language Models” \(added with \/add by reader on \d{4}-\d{2}-\d{2}\)\.$/,
    );
    expect(buttonIds(body)).toEqual([]);
    expect(addedText()).toBe(text);
  });

  it('refuses a paper the shipped files hold already, saying which file', async () => {
    const { body } = await preview('2401.00001');
    expect(body.content).toBe(`That paper is already in the collection: “${DUP.title}” (from shipped.jsonl).`);
  });
});

describe('/add by link, and Cancel', () => {
  it('reads an arxiv.org/pdf link with its version, and Cancel adds nothing', async () => {
    const text = addedText();
    const generation = litbot.about().generation;
    const { body } = await preview('https://arxiv.org/pdf/2405.15307v1');
    expect(arxiv.requests.at(-1)).toBe('/api/query?id_list=2405.15307v1&max_results=1');
    expect(body.embeds[0]).toMatchObject({ title: BY_URL.title, url: 'https://arxiv.org/abs/2405.15307v1' });
    const [, cancel] = buttonIds(body);
    const click = h.fake.button(cancel, body);
    expect((await h.fake.callbackOf(click)).body).toMatchObject({ type: 7, data: { content: 'Cancelled: nothing was added.', embeds: [], components: [] } });
    // The preview is gone: its Confirm no longer works.
    const late = h.fake.button(buttonIds(body)[0], body);
    expect(await privateReply(late)).toMatch(/This preview has expired/);
    expect(addedText()).toBe(text);
    expect(litbot.about().generation).toBe(generation);
  });
});

describe('bad input changes nothing', () => {
  it('answers a malformed id at once, an unknown one after asking arXiv, and names the way forward', async () => {
    const text = addedText();
    const malformed = h.fake.slash('add', [str('source', '2413.1234')]);
    const reply = await h.fake.callbackOf(malformed);
    expect(reply.body.type).toBe(4);
    expect(reply.body.data.flags).toBe(64);
    expect(reply.body.data.content).toMatch(/^That is not an arXiv identifier: 2413 is not a year and month \(YYMM\)\. Give an arXiv id such as 2405\.01234/);
    const notArxiv = h.fake.slash('add', [str('source', 'https://example.com/paper.pdf')]);
    expect((await h.fake.callbackOf(notArxiv)).body.data.content).toMatch(/not on arxiv\.org/);

    const { body } = await preview('2401.99999');
    expect(body.content).toBe('arXiv has no paper 2401.99999. Check the id (it looks like 2405.01234), or run /add without a source to fill in a form.');
    expect(addedText()).toBe(text);
  });

  it('says when arXiv is down or slow, and suggests the form', async () => {
    try {
      arxiv.mode = 'reset';
      const down = await preview('2405.15307');
      expect(down.body.content).toMatch(/^arXiv cannot be reached right now, so 2405\.15307 could not be looked up\. Try again later, or run \/add without a source/);
      arxiv.mode = 'slow';
      arxiv.slowMs = 3_000;
      const slow = await preview('2405.15307');
      expect(slow.body.content).toMatch(/^arXiv is slow to answer right now, so 2405\.15307 could not be looked up\./);
    } finally {
      arxiv.mode = 'ok';
    }
  });

  it('refuses an empty or oversized abstract and a title that is only markup or mentions, from the form', async () => {
    const text = addedText();
    const cases: [Record<string, string>, RegExp][] = [
      [{ title: 'A Real Title', abstract: '   ', link: '' }, /^The abstract is empty/],
      [{ title: 'A Real Title', abstract: 'x '.repeat(2_100), link: '' }, /^The abstract is too long \(4,199 characters; at most 4,000\)/],
      [{ title: '<@123456789012345678> **@everyone**', abstract: FORM.abstract, link: '' }, /^The title has no words once mentions and formatting are taken out/],
      [{ title: 'A Real Title', abstract: FORM.abstract, link: 'javascript:alert(1)' }, /^The link must be one http\(s\) address/],
    ];
    for (const [values, message] of cases) {
      const submit = h.fake.modalSubmit('add:form', values);
      const reply = await h.fake.callbackOf(submit);
      expect(reply.body.data.flags, JSON.stringify(values)).toBe(64);
      expect(reply.body.data.content).toMatch(message);
    }
    expect(addedText()).toBe(text);
  });
});

describe('who may add', () => {
  it('tells a member without Manage Server or the librarian role who can, for /add, /remove and a forged Confirm', async () => {
    const member = { user: fakeUser(7), member: { permissions: MEMBER_PERMISSIONS, roles: [] } };
    const expected = 'Only members with the Manage Server permission or the “Librarians” role can add or remove papers. Ask one of them to add the paper for you.';
    const add = h.fake.slash('add', [str('source', '2405.15307')], member);
    expect((await h.fake.callbackOf(add)).body).toMatchObject({ type: 4, data: { content: expected, flags: 64 } });
    const form = h.fake.slash('add', [], member);
    expect((await h.fake.callbackOf(form)).body.data.content).toBe(expected);
    const remove = h.fake.slash('remove', [str('title', NEW.title)], member);
    expect((await h.fake.callbackOf(remove)).body.data.content).toBe(expected);
    // A librarian's preview; someone else clicking its Confirm (a forged custom id) is refused.
    const { body } = await preview('2405.15307');
    const forged = h.fake.button(buttonIds(body)[0], body, member);
    expect((await h.fake.callbackOf(forged)).body.data.content).toBe(expected);
    const otherLibrarian = h.fake.button(buttonIds(body)[0], body, { user: fakeUser(8) });
    expect((await h.fake.callbackOf(otherLibrarian)).body.data.content).toBe('Only the person who ran /add can confirm or cancel it.');
    expect(arxiv.requests.filter((r) => r.includes('2405.15307')).length).toBeGreaterThan(0);
  });

  it('lets a member with the librarian role add without Manage Server', async () => {
    const librarian = { user: fakeUser(9), member: { permissions: MEMBER_PERMISSIONS, roles: [LIBRARIAN] } };
    const { body } = await preview('2405.15307', librarian);
    expect(body.embeds[0].title).toBe(BY_URL.title);
  });
});

describe('/add with no source opens a form', () => {
  it('shows the form, previews what was typed with mentions and links taken out, and adds it on Confirm', async () => {
    const open = h.fake.slash('add');
    const modal = (await h.fake.callbackOf(open)).body;
    expect(modal.type).toBe(9);
    expect(modal.data.custom_id).toBe('add:form');
    expect(modal.data.components.map((row: any) => row.components[0].custom_id)).toEqual(['title', 'abstract', 'link']);
    expect(modal.data.components[1].components[0]).toMatchObject({ style: 2, required: true, min_length: 50, max_length: 4000 });

    const title = `${FORM.title} <@123456789012345678>`;
    const abstract = `${FORM.abstract} @everyone see [the demo](https://evil.example/phish).`;
    const submit = h.fake.modalSubmit('add:form', { title, abstract, link: 'https://doi.org/10.1000/muscle' });
    const reply = (await h.fake.callbackOf(submit)).body;
    expect(reply.type).toBe(4);
    expect(reply.data.flags).toBe(64);
    expect(reply.data.embeds[0]).toMatchObject({ title: FORM.title.replace(/([*_~`|>\[\]\\])/g, '\\$1'), url: 'https://doi.org/10.1000/muscle' });
    const shown = JSON.stringify(reply.data);
    expect(shown).not.toMatch(/<@\d|@everyone|evil\.example/);

    const click = h.fake.button(buttonIds(reply.data)[0], reply.data);
    await h.fake.callbackOf(click);
    const done = (await h.fake.editOf(click, (b) => typeof b.content === 'string' && !b.content.startsWith('Adding'), 120_000)).body;
    expect(done.content).toMatch(/^Added: MUSCLE: A Model Update Strategy for Compatible LLM Evolution\. Ask about it now\./);
    const stored = addedText();
    expect(stored).toContain('"url":"https://doi.org/10.1000/muscle"');
    expect(stored).not.toMatch(/<@\d|@everyone|evil\.example|\]\(/);
    expect(litbot.paperById(paperIdForTitle(FORM.title))?.url).toBe('https://doi.org/10.1000/muscle');

    // A later answer quoting the added abstract carries neither the ping nor the link that was typed.
    const ask = h.fake.slash('ask', [str('question', 'What is MUSCLE, the model update strategy for compatible LLM evolution?')]);
    const answer = (await h.fake.editOf(ask, (b) => (b.components?.length ?? 0) > 0, 60_000)).body;
    expect(answer.embeds[0].description).toContain('MUSCLE');
    expect(JSON.stringify(answer)).not.toMatch(/<@\d|@everyone|evil\.example/);
  }, 240_000);
});

describe('/remove', () => {
  it('offers only added papers, removes one, and says shipped papers cannot be removed from Discord', async () => {
    const complete = h.fake.autocomplete('remove', [str('title', 'unlocking', true)]);
    const choices = (await h.fake.callbackOf(complete)).body.data.choices;
    expect(choices).toEqual([{ name: NEW.title, value: paperIdForTitle(NEW.title) }]);
    const all = h.fake.autocomplete('remove', [str('title', '', true)]);
    expect((await h.fake.callbackOf(all)).body.data.choices.map((c: any) => c.name).sort()).toEqual([FORM.title, NEW.title].sort());

    const shipped = h.fake.slash('remove', [str('title', SHIPPED[0].title)]);
    expect((await h.fake.callbackOf(shipped)).body.data.content).toMatch(
      new RegExp(
        `^“${SHIPPED[0].title.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*” is part of the collection’s own files \\(shipped\\.jsonl\\), not added with /add, so it cannot be removed from Discord\\.`,
      ),
    );

    const generation = litbot.about().generation;
    const remove = h.fake.slash('remove', [str('title', paperIdForTitle(NEW.title))]);
    expect((await h.fake.callbackOf(remove)).body).toEqual({ type: 5, data: { flags: 64 } });
    const done = (await h.fake.editOf(remove, undefined, 120_000)).body;
    expect(done.content).toBe(`Removed: ${NEW.title}. It is no longer used in answers.`);
    expect(litbot.paperById(paperIdForTitle(NEW.title))).toBeUndefined();
    expect(litbot.about().generation).not.toBe(generation);
    expect(addedText()).not.toContain(NEW.title);
    expect(addedText()).toContain(FORM.title);
  }, 240_000);

  it('never pinged anyone and left nothing unanswered', () => {
    for (const body of messageBodies(h.fake.requests)) expect(body.allowed_mentions ?? NO_PINGS).toEqual(NO_PINGS);
    expect(h.fake.problems).toEqual([]);
    expect(h.unhandled).toEqual([]);
    expect(h.logs.filter((l) => l.msg === 'interaction' && l.outcome === 'error')).toEqual([]);
  });
});
