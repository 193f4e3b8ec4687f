/**
 * Every slash command, autocomplete and button, end to end: the real discord.js client against a
 * fake Discord on 127.0.0.1, and the real Litbot over the seed corpus. Assertions are on the exact
 * bodies Discord would receive.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommands } from '../src/discord/registry.js';
import type { Litbot } from '../src/litbot.js';
import { NO_PINGS, bool, waitUntil, mdLink, messageBodies, startHarness, str, type Harness } from './helpers/discord-harness.js';
import { createTestLitbot } from './helpers/test-litbot.js';

const COLOR = 0x4f6bed;
const MESSAGE = { tts: false, enforce_nonce: false };
const FOOTER = /^extractive · \d+\.\d s$/;
const QUESTION = 'How do language models forget earlier tasks during continual learning?';

let h: Harness;
let litbot: Litbot;

beforeAll(async () => {
  litbot = (await createTestLitbot()).litbot;
  h = await startHarness(litbot, { RATE_LIMIT_COUNT: '1000' });
});

afterAll(async () => {
  await h?.stop();
});

/** The answer embed's description as the bot should write it for `result`. */
function answerDescription(result: Awaited<ReturnType<Litbot['ask']>>): string {
  const sources = result.citations.map((c) => `**[${c.n}]** ${mdLink(c.title, c.url)}`).join('\n');
  const note = result.note ? `*${result.note}*\n\n` : '';
  return `${note}${result.answer}${sources ? `\n\n**Sources**\n${sources}` : ''}`;
}

/** The text an escaped string shows. */
function unescapeMarkdown(text: string): string {
  return text.replace(/\u200b/g, '').replace(/\\(.)/g, '$1');
}

function buttonIds(body: any): string[] {
  return (body.components ?? []).flatMap((row: any) => row.components.map((c: any) => c.custom_id));
}

describe('registration', () => {
  it('registers every command in commands/ to DISCORD_GUILD_ID at start', async () => {
    const put = await h.fake.waitForRequest((r) => r.method === 'PUT');
    expect(put.path).toBe(`/applications/${h.fake.applicationId}/guilds/${h.fake.guildId}/commands`);
    const expected = (await loadCommands()).map((c) => c.data.toJSON());
    expect(put.body).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(put.body.map((c: any) => c.name)).toEqual(['about', 'add', 'ask', 'help', 'paper', 'remove', 'search', 'similar', 'topics']);
  });

  it('identifies with only the intents the bot needs, without the privileged Message Content by default', () => {
    // Guilds (1) + GuildMessages (512) + DirectMessages (4096); test/discord-intents.test.ts turns Message Content on.
    expect(h.fake.identifyPayload.intents).toBe(1 + 512 + 4096);
  });
});

describe('/ask', () => {
  it('defers at once, then edits the reply into the answer with numbered sources, footer and buttons', async () => {
    const expected = await litbot.ask(QUESTION);
    const i = h.fake.slash('ask', [str('question', QUESTION)]);
    expect((await h.fake.callbackOf(i)).body).toEqual({ type: 5, data: { flags: 0 } });
    const edit = await h.fake.editOf(i);
    expect(edit.body).toEqual({
      ...MESSAGE,
      embeds: [{ color: COLOR, title: QUESTION, description: answerDescription(expected), footer: { text: expect.stringMatching(FOOTER) } }],
      components: [
        {
          type: 1,
          components: [
            { type: 2, style: 2, label: 'Helpful', emoji: { name: '👍', animated: false }, custom_id: expect.stringMatching(/^ask:feedback:up:[0-9a-f]{12}$/) },
            { type: 2, style: 2, label: 'Not helpful', emoji: { name: '👎', animated: false }, custom_id: expect.stringMatching(/^ask:feedback:down:[0-9a-f]{12}$/) },
            { type: 2, style: 1, label: 'Evidence', custom_id: expect.stringMatching(/^ask:evidence:[0-9a-f]{12}$/) },
          ],
        },
      ],
      allowed_mentions: NO_PINGS,
    });
    expect(expected.citations.length).toBeGreaterThan(0);
    expect(h.fake.requestsFor(i)).toHaveLength(2);
  });

  it('answers privately with private:true', async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION), bool('private', true)]);
    expect((await h.fake.callbackOf(i)).body).toEqual({ type: 5, data: { flags: 64 } });
    const edit = await h.fake.editOf(i);
    expect(edit.body.embeds[0].title).toBe(QUESTION);
  });

  it('records a vote with the question, answer and sources, lets the user change it, and thanks them privately', async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION)]);
    const answer = (await h.fake.editOf(i)).body;
    const [up, down] = buttonIds(answer);
    const clickUp = h.fake.button(up, answer);
    expect((await h.fake.callbackOf(clickUp)).body).toEqual({
      type: 4,
      data: { ...MESSAGE, content: 'Thanks! Noted as helpful.', flags: 64, allowed_mentions: NO_PINGS },
    });
    const clickDown = h.fake.button(down, answer);
    expect((await h.fake.callbackOf(clickDown)).body.data.content).toBe('Changed your vote to not helpful.');
    const again = h.fake.button(down, answer);
    expect((await h.fake.callbackOf(again)).body.data.content).toBe('You already marked this answer as not helpful.');

    const answerId = up.split(':')[3];
    const lines = (await readFile(h.env.FEEDBACK_FILE, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const expected = await litbot.ask(QUESTION);
    expect(lines.filter((l) => l.answerId === answerId)).toEqual([
      {
        at: expect.any(String),
        vote: 'down',
        answerId,
        voter: expect.stringMatching(/^[0-9a-f]{16}$/),
        question: QUESTION,
        answer: expected.answer,
        citations: expected.citations,
        backend: 'extractive',
        interactionId: clickDown.id,
      },
    ]);
  });

  it('shows the passages used and their scores to the clicking user only, with Evidence', async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION)]);
    const answer = (await h.fake.editOf(i)).body;
    const click = h.fake.button(buttonIds(answer)[2], answer);
    const body = (await h.fake.callbackOf(click)).body;
    expect(body.type).toBe(4);
    expect(body.data.flags).toBe(64);
    expect(body.data.allowed_mentions).toEqual(NO_PINGS);
    const expected = await litbot.ask(QUESTION);
    // Many long passages take more than one message: the rest come as private follow-ups.
    await h.handled(click);
    const followUps = h.fake.requestsFor(click).filter((r) => r.method === 'POST' && r.path.startsWith('/webhooks/'));
    for (const f of followUps) expect(f.body.flags).toBe(64);
    const embeds = [...body.data.embeds, ...followUps.flatMap((f) => f.body.embeds)];
    const description: string = embeds.map((e) => e.description).join('\n');
    expect(body.data.embeds[0].title).toBe(`Evidence for: ${QUESTION}`);
    for (const e of expected.evidence) {
      expect(description).toContain(`**[${e.n}]** ${mdLink(e.title, e.url)} · score ${e.score.toFixed(3)}`);
      for (const p of e.passages) expect(description).toContain(`*(${p.score.toFixed(3)})*`);
    }
  });

  it('works in a direct message too', async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION)], { dm: true });
    expect((await h.fake.callbackOf(i)).body).toEqual({ type: 5, data: { flags: 0 } });
    const edit = await h.fake.editOf(i);
    expect(edit.body.embeds[0].description).toContain('**Sources**');
    expect((await h.handled(i)).guild).toBe('dm');
  });

  it('says the button no longer works when its answer has been forgotten', async () => {
    const click = h.fake.button('ask:evidence:000000000000', { id: '1', channel_id: h.fake.channelId, content: 'old' });
    expect((await h.fake.callbackOf(click)).body).toEqual({
      type: 4,
      data: { ...MESSAGE, content: 'This button no longer works; please run the command again.', flags: 64, allowed_mentions: NO_PINGS },
    });
  });
});

describe('/topics', () => {
  it('lists the topics with their sizes', async () => {
    const topics = litbot.topics();
    const i = h.fake.slash('topics');
    const body = (await h.fake.callbackOf(i)).body;
    expect(body.type).toBe(4);
    const description: string = body.data.embeds.map((e: any) => e.description).join('\n');
    if (topics.length === 0) {
      expect(body.data.content).toContain('No topics');
      return;
    }
    for (const t of topics) expect(description).toContain(` — ${t.papers.length} paper`);
    expect(body.data.embeds[0].title).toBe(`${topics.length} topics over ${topics.reduce((n, t) => n + t.papers.length, 0)} papers`);
  });

  it("lists a topic's papers as links, paged with buttons that update the message", async () => {
    const topic = [...litbot.topics()].sort((a, b) => b.papers.length - a.papers.length)[0];
    expect(topic, 'the test index has topics').toBeDefined();
    const i = h.fake.slash('topics', [str('topic', String(topic.id))]);
    const body = (await h.fake.callbackOf(i)).body.data;
    const first = litbot.paperById(topic.papers[0].paperId)!;
    expect(body.embeds[0].title).toBe(topic.label);
    expect(body.embeds[0].description.split('\n')[0]).toBe(`**1.** ${mdLink(first.title, first.url)}`);
    if (topic.papers.length <= 15) {
      expect(body.components).toEqual([]);
      return;
    }
    expect(buttonIds(body)).toEqual([`topics:page:${topic.id}:0`, `topics:page:${topic.id}:1`]);
    const next = h.fake.button(`topics:page:${topic.id}:1`, body);
    const page2 = (await h.fake.callbackOf(next)).body;
    expect(page2.type).toBe(7);
    const sixteenth = litbot.paperById(topic.papers[15].paperId)!;
    expect(page2.data.embeds[0].description.split('\n')[0]).toBe(`**16.** ${mdLink(sixteenth.title, sixteenth.url)}`);
    expect(page2.data.allowed_mentions).toEqual(NO_PINGS);
  });

  it('autocompletes topics by fuzzy label match', async () => {
    const topic = litbot.topics()[0];
    const typed = topic.keyPhrases[0]?.slice(0, 6) ?? topic.label.slice(0, 6);
    const a = h.fake.autocomplete('topics', [str('topic', typed, true)]);
    const body = (await h.fake.callbackOf(a)).body;
    expect(body.type).toBe(8);
    expect(body.data.choices.length).toBeGreaterThan(0);
    expect(body.data.choices.length).toBeLessThanOrEqual(25);
    expect(body.data.choices.map((c: any) => c.value)).toContain(String(topic.id));
  });
});

describe('/paper', () => {
  it('autocompletes titles fuzzily: at most 25 choices, names of at most 100 characters, paper ids as values', async () => {
    const target = litbot.paperById(litbot.lookup('continual learning language models', 1)[0].paperId)!;
    const typo = target.title.slice(0, 20).replace(/e/, '');
    const a = h.fake.autocomplete('paper', [str('title', typo, true)]);
    const body = (await h.fake.callbackOf(a)).body;
    expect(body.type).toBe(8);
    const choices = body.data.choices as { name: string; value: string }[];
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.length).toBeLessThanOrEqual(25);
    for (const c of choices) {
      expect(c.name.length).toBeLessThanOrEqual(100);
      expect(litbot.paperById(c.value)).toBeDefined();
    }
    expect(choices.map((c) => c.value)).toContain(target.id);
  });

  it('shows the paper with its link, metadata, topic, abstract and two buttons', async () => {
    const paper = litbot.paperById(litbot.lookup('continual learning', 1)[0].paperId)!;
    const i = h.fake.slash('paper', [str('title', paper.id)]);
    const body = (await h.fake.callbackOf(i)).body;
    expect(body.type).toBe(4);
    const embed = body.data.embeds[0];
    expect(embed.title).toBe(paper.title.length <= 256 ? paper.title : expect.any(String));
    expect(embed.url).toBe(paper.url);
    expect(paper.abstract.startsWith(unescapeMarkdown(embed.description.replace(/…$/, '')))).toBe(true);
    const topic = litbot.topicOf(paper.id);
    if (topic) expect(embed.fields).toContainEqual({ name: 'Topic', value: topic.label });
    if (paper.date) expect(embed.fields).toContainEqual({ name: 'Date', value: paper.date, inline: true });
    expect(buttonIds(body.data)).toEqual([`paper:similar:${paper.id}`, `paper:ask:${paper.id}`]);
    expect(body.data.allowed_mentions).toEqual(NO_PINGS);
  });

  it('answers a typed title that matches nothing with a private explanation', async () => {
    const i = h.fake.slash('paper', [str('title', 'zzqx qqzx xqzz')]);
    const body = (await h.fake.callbackOf(i)).body;
    expect(body.type).toBe(4);
    expect(body.data.flags).toBe(64);
    expect(body.data.content).toMatch(/zzqx qqzx xqzz/);
  });

  it('lists similar papers from the "Similar papers" button', async () => {
    const paper = litbot.paperById(litbot.lookup('continual learning', 1)[0].paperId)!;
    const i = h.fake.slash('paper', [str('title', paper.id)]);
    const shown = (await h.fake.callbackOf(i)).body.data;
    const click = h.fake.button(`paper:similar:${paper.id}`, shown);
    expect((await h.fake.callbackOf(click)).body).toEqual({ type: 5, data: { flags: 0 } });
    const body = (await h.fake.editOf(click)).body;
    const { similar } = await litbot.similar(paper.title);
    const lines = body.embeds[0].description.split('\n');
    expect(lines[0]).toBe(`**1.** ${mdLink(similar[0].paper.title, similar[0].paper.url)} · ${similar[0].score.toFixed(2)}`);
    expect(lines[1]).toMatch(/^> \S/);
  });

  it('opens a question modal from "Ask about this paper" and answers what is submitted', async () => {
    const paper = litbot.paperById(litbot.lookup('continual learning', 1)[0].paperId)!;
    const i = h.fake.slash('paper', [str('title', paper.id)]);
    const shown = (await h.fake.callbackOf(i)).body.data;
    const click = h.fake.button(`paper:ask:${paper.id}`, shown);
    const modal = (await h.fake.callbackOf(click)).body;
    expect(modal).toEqual({
      type: 9,
      data: {
        custom_id: `paper:ask:${paper.id}`,
        title: expect.stringMatching(/^Ask about: .{1,34}$/),
        components: [{ type: 1, components: [{ type: 4, custom_id: 'question', label: 'Your question about this paper', style: 2, required: true, max_length: 1000 }] }],
      },
    });
    const submit = h.fake.modalSubmit(`paper:ask:${paper.id}`, { question: 'What problem does it address?' });
    expect((await h.fake.callbackOf(submit)).body).toEqual({ type: 5, data: { flags: 0 } });
    const answer = (await h.fake.editOf(submit)).body;
    const expected = await litbot.ask(`What problem does it address? (about the paper "${paper.title}")`);
    expect(answer.embeds[0].description).toBe(answerDescription(expected));
    expect(answer.allowed_mentions).toEqual(NO_PINGS);
  });
});

describe('/similar and /search', () => {
  it('/similar lists the nearest papers with a score and a one-line snippet each', async () => {
    const paper = litbot.paperById(litbot.lookup('retrieval augmented generation', 1)[0].paperId)!;
    const i = h.fake.slash('similar', [str('title', paper.id)]);
    expect((await h.fake.callbackOf(i)).body.type).toBe(5);
    const body = (await h.fake.editOf(i)).body;
    const { similar } = await litbot.similar(paper.title);
    const lines: string[] = body.embeds[0].description.split('\n');
    expect(lines).toHaveLength(similar.length * 2);
    similar.forEach((s, n) => {
      expect(lines[2 * n]).toBe(`**${n + 1}.** ${mdLink(s.paper.title, s.paper.url)} · ${s.score.toFixed(2)}`);
      expect(lines[2 * n + 1].length).toBeLessThanOrEqual(2 + 160);
      expect(s.paper.abstract.replace(/\s+/g, ' ')).toContain(unescapeMarkdown(lines[2 * n + 1].slice(2).replace(/…$/, '')));
    });
    expect(body.embeds[0].title).toContain(paper.title.slice(0, 50));
  });

  it('/similar autocompletes titles too', async () => {
    const a = h.fake.autocomplete('similar', [str('title', 'graph', true)]);
    const body = (await h.fake.callbackOf(a)).body;
    const expected = litbot.lookup('graph', 25);
    expect(expected.length).toBeGreaterThan(0);
    expect(body.data.choices.map((c: any) => c.value)).toEqual(expected.map((m) => m.paperId));
    expect(body.data.choices.every((c: any) => c.name.length <= 100)).toBe(true);
  });

  it('/search lists matching papers, each with its best passage as a one-line snippet', async () => {
    const query = 'catastrophic forgetting';
    const i = h.fake.slash('search', [str('query', query)]);
    expect((await h.fake.callbackOf(i)).body).toEqual({ type: 5, data: { flags: 0 } });
    const body = (await h.fake.editOf(i)).body;
    const expected = await litbot.search(query, { k: 8 });
    const lines: string[] = body.embeds[0].description.split('\n');
    expect(body.embeds[0].title).toBe(`Papers for “${query}”`);
    expect(lines[0]).toBe(`**1.** ${mdLink(expected.hits[0].paper.title, expected.hits[0].paper.url)}`);
    expect(lines).toHaveLength(expected.hits.length * 2);
    const snippet = unescapeMarkdown(lines[1].slice(2).replace(/…$/, ''));
    expect(expected.hits[0].passages[0].text.replace(/\s+/g, ' ')).toContain(snippet);
  });
});

describe('/help and /about', () => {
  it('/help lists every registered command, privately', async () => {
    const i = h.fake.slash('help');
    const body = (await h.fake.callbackOf(i)).body;
    expect(body.data.flags).toBe(64);
    for (const c of (await loadCommands()).map((x) => x.data.toJSON())) expect(body.data.embeds[0].description).toContain(`**/${c.name}** — ${c.description}`);
  });

  it('/about shows corpus size, topics, index build time, embedding model, LLM backend and version', async () => {
    const about = litbot.about();
    const i = h.fake.slash('about');
    const body = (await h.fake.callbackOf(i)).body;
    expect(body.data.embeds[0].fields).toEqual([
      { name: 'Papers', value: String(about.papers), inline: true },
      { name: 'Passages', value: String(about.chunks), inline: true },
      { name: 'Topics', value: String(about.topics), inline: true },
      { name: 'Index built', value: about.builtAt, inline: true },
      { name: 'Embedding model', value: `${about.embeddings} (${about.dimensions} dimensions)`, inline: true },
      { name: 'LLM backend', value: 'extractive', inline: true },
      { name: 'Version', value: about.version, inline: true },
    ]);
    expect(about.papers).toBe(158);
  });
});

describe('manners', () => {
  it('sends allowedMentions with nothing to ping on every message of this file', () => {
    const bodies = messageBodies(h.fake.requests);
    expect(bodies.length).toBeGreaterThan(20);
    for (const body of bodies) expect(body.allowed_mentions).toEqual(NO_PINGS);
  });

  it('logs one structured line per interaction with user, command, latency and outcome', async () => {
    const interactions = h.fake.requests.filter((r) => r.path.endsWith('/callback')).length;
    // The line is written when the handler returns, just after its last request.
    await waitUntil(() => h.logs.filter((l) => l.msg === 'interaction').length >= interactions);
    const lines = h.logs.filter((l) => l.msg === 'interaction');
    expect(lines).toHaveLength(interactions);
    for (const l of lines) {
      expect(l).toMatchObject({
        user: expect.stringMatching(/^\d+$/),
        command: expect.any(String),
        latencyMs: expect.any(Number),
        outcome: expect.stringMatching(/^(ok|user-error)$/),
      });
    }
  });

  it('leaves no unknown route, bad frame or unhandled rejection behind', () => {
    expect(h.fake.problems).toEqual([]);
    expect(h.unhandled).toEqual([]);
  });
});
