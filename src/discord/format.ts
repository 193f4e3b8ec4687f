/**
 * Everything the bot sends, shaped to fit Discord: answers as embeds with numbered sources,
 * paper lists, topics, evidence. Long text is split or trimmed at paragraph, line, sentence or
 * word boundaries, never inside a Markdown link or a bare URL, within Discord's limits. Every
 * string from the corpus or a user goes through `escapeMarkdown`, every answer through
 * `safeAnswerMarkdown` (see markdown.ts): the only links are the papers' own.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type APIEmbed, type BaseMessageOptions, type MessageMentionOptions } from 'discord.js';
import type { AnswerResult, Evidence } from '../answer/types.js';
import type { Topic } from '../browse/types.js';
import { listedByText, type Paper } from '../corpus/paper.js';
import type { About } from '../litbot.js';
import { customId } from './command.js';
import { escapeMarkdown, link, safeAnswerMarkdown } from './markdown.js';

export { escapeMarkdown, link } from './markdown.js';

/** Discord's limits on what one message may carry. */
export const LIMITS = {
  content: 2_000,
  description: 4_096,
  title: 256,
  fieldName: 256,
  fieldValue: 1_024,
  footer: 2_048,
  /** Sum of every embed's title, description, fields and footer in one message. */
  embedsTotal: 6_000,
  embedsPerMessage: 10,
  choices: 25,
  choiceName: 100,
  threadName: 100,
} as const;

/** Sent with everything: answers quote paper text and user questions, and must never ping. */
export const NO_MENTIONS: MessageMentionOptions = { parse: [], repliedUser: false };

const COLOR = 0x4f6bed;

/** A message body ready for `send`, `reply`, `editReply` or `followUp`. */
export type Payload = BaseMessageOptions & { allowedMentions: MessageMentionOptions };

// ------------------------------------------------------------------ splitting

/** Markdown links (`[text](url)`, with escaped brackets inside) and bare or `<angled>` URLs. */
const UNBREAKABLE = /\[(?:[^\[\]\\\n]|\\.)*\]\((?:[^()\s\\]|\\.)*\)|<https?:\/\/[^\s>]+>|https?:\/\/[^\s<>()]+/g;

/** Preferred places to cut, best first; the cut goes after the punctuation and before the space. */
const BREAKS = ['\n\n', '\n', '. ', '? ', '! ', '; ', ', ', ' '];

/** Splits `text` into pieces of at most `max` characters, never inside a link or URL. */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const cut = findCut(rest, max);
    const piece = rest.slice(0, cut).trimEnd();
    if (piece) pieces.push(piece);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** `text` cut to at most `max` characters (with an ellipsis when cut), never inside a link. */
export function trimText(text: string, max: number): string {
  const t = text.trim();
  if (t.length <= max) return t;
  return `${t.slice(0, findCut(t, max - 1)).trimEnd()}…`;
}

/** The first line (or sentence) of `text`, at most `max` characters. */
export function oneLine(text: string, max = 160): string {
  return trimText(text.replace(/\s+/g, ' '), max);
}

function findCut(text: string, max: number): number {
  const spans = [...text.slice(0, max + 2_100).matchAll(UNBREAKABLE)].map((m) => [m.index!, m.index! + m[0].length] as const);
  const inside = (cut: number) => spans.some(([s, e]) => cut > s && cut < e);
  let fallback = 0;
  for (const brk of BREAKS) {
    const keep = brk.trimEnd().length;
    for (let p = text.lastIndexOf(brk, max - keep); p > 0; p = text.lastIndexOf(brk, p - 1)) {
      const cut = p + keep;
      if (cut > max || inside(cut)) continue;
      // A paragraph break far back would waste most of the room; try a finer break first.
      if (cut >= max / 2) return cut;
      fallback ||= cut;
      break;
    }
  }
  if (fallback) return fallback;
  const crossing = spans.find(([s, e]) => s < max && e > max);
  if (crossing && crossing[0] > 0) return crossing[0];
  // A single unbroken run longer than the limit: cut it, but not between a surrogate pair.
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

/** Corpus or user text for an embed title or a field: escaped, on one line, within `max`. */
function plain(text: string, max: number): string {
  return trimText(escapeMarkdown(text.replace(/\s+/g, ' ')), max);
}

/** A paper's link for an embed's `url`: only http(s), anything else is left out. */
function embedUrl(url: string | undefined): { url?: string } {
  return url && /^https?:\/\//i.test(url) && URL.canParse(url) ? { url } : {};
}

// ------------------------------------------------------------------ packing

/** The characters of one embed that count towards the 6,000 per message. */
export function embedSize(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/** Groups embeds into as few messages as Discord's per-message limits allow, in order. */
export function packEmbeds(embeds: APIEmbed[]): APIEmbed[][] {
  const messages: APIEmbed[][] = [];
  let current: APIEmbed[] = [];
  let size = 0;
  for (const embed of embeds) {
    const n = embedSize(embed);
    if (current.length && (current.length >= LIMITS.embedsPerMessage || size + n > LIMITS.embedsTotal)) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push(embed);
    size += n;
  }
  if (current.length) messages.push(current);
  return messages;
}

/** Embeds for a long text: one per piece, the title on the first. */
function textEmbeds(text: string, title?: string, url?: string): APIEmbed[] {
  // Leave room so that a piece plus its title and footer stays under the per-message total.
  return splitText(text, LIMITS.description).map((description, i) => ({
    color: COLOR,
    ...(i === 0 && title ? { title: trimText(title, LIMITS.title) } : {}),
    ...(i === 0 ? embedUrl(url) : {}),
    description,
  }));
}

function messagesOf(embeds: APIEmbed[], components?: BaseMessageOptions['components']): Payload[] {
  const packed = packEmbeds(embeds);
  return packed.map((group, i) => ({
    embeds: group,
    ...(components && i === packed.length - 1 ? { components } : {}),
    allowedMentions: NO_MENTIONS,
  }));
}

// ------------------------------------------------------------------ answers

/** The buttons under an answer: feedback and evidence, routed to `/ask`. */
export function answerButtons(answerId: string): ActionRowBuilder<ButtonBuilder>[] {
  return [
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder()
        .setCustomId(customId('ask', 'feedback', 'up', answerId))
        .setLabel('Helpful')
        .setEmoji('👍')
        .setStyle(ButtonStyle.Secondary),
      new ButtonBuilder()
        .setCustomId(customId('ask', 'feedback', 'down', answerId))
        .setLabel('Not helpful')
        .setEmoji('👎')
        .setStyle(ButtonStyle.Secondary),
      new ButtonBuilder()
        .setCustomId(customId('ask', 'evidence', answerId))
        .setLabel('Evidence')
        .setStyle(ButtonStyle.Primary),
    ),
  ];
}

/** "extractive · 0.4 s" (with the model when there is one). */
export function answerFooter(result: AnswerResult): string {
  const backend = result.model ? `${result.backend} (${result.model})` : result.backend;
  return trimText(`${backend} · ${(result.timings.totalMs / 1000).toFixed(1)} s`, LIMITS.footer);
}

/**
 * An answer as one or more messages: the text with its `[n]` markers, then the numbered sources
 * as links, the footer with backend and time, and (with `answerId`) the buttons on the last one.
 */
export function formatAnswer(result: AnswerResult, options: { question?: string; answerId?: string } = {}): Payload[] {
  const parts: string[] = [];
  if (result.searchedFor) parts.push(`*Searched for: ${escapeMarkdown(result.searchedFor)}*`);
  if (result.note) parts.push(`*${escapeMarkdown(result.note.trim())}*`);
  parts.push(
    safeAnswerMarkdown(
      result.answer.trim(),
      result.citations.map((c) => c.url),
    ) || '(no answer)',
  );
  if (result.refused && result.suggestions?.length) {
    const lines = result.suggestions.map((s) => `• ${s.url ? link(s.title, s.url) : escapeMarkdown(s.title)}`);
    // The refusal text ends by introducing them ("The nearest topics and papers:").
    parts[parts.length - 1] += `\n${lines.join('\n')}`;
  }
  const body = parts.join('\n\n');
  const sources = result.citations.length ? `**Sources**\n${result.citations.map((c) => `**[${c.n}]** ${link(trimText(c.title, 200), c.url)}`).join('\n')}` : '';

  const embeds = textEmbeds(body, options.question === undefined ? undefined : escapeMarkdown(options.question));
  const last = embeds[embeds.length - 1];
  if (sources) {
    if (last.description!.length + 2 + sources.length <= LIMITS.description) last.description += `\n\n${sources}`;
    else embeds.push(...textEmbeds(sources));
  }
  // Small talk cites nothing and has no evidence to rate or show: no footer, no buttons.
  if (result.kind === 'smalltalk') return messagesOf(embeds);
  embeds[embeds.length - 1].footer = { text: answerFooter(result) };
  return messagesOf(embeds, options.answerId ? answerButtons(options.answerId) : undefined);
}

/** What an answer looks like while an LLM is still writing it. */
export function formatPartialAnswer(textSoFar: string, question?: string): Payload {
  return {
    embeds: [
      {
        color: COLOR,
        ...(question ? { title: plain(question, LIMITS.title) } : {}),
        // Links appear with the final answer, when the cited papers are known.
        description: trimText(safeAnswerMarkdown(textSoFar) || '…', LIMITS.description),
        footer: { text: 'writing…' },
      },
    ],
    allowedMentions: NO_MENTIONS,
  };
}

/** The passages behind each source and their scores (the "Evidence" button). */
export function formatEvidence(evidence: Evidence[], question: string): Payload[] {
  if (!evidence.length) return [{ content: 'No passages were used for this answer.', allowedMentions: NO_MENTIONS }];
  const blocks = evidence.map((e) => {
    const passages = e.passages.map((p) => `> ${oneLine(escapeMarkdown(p.text), 600)} *(${p.score.toFixed(3)})*`);
    return [`**[${e.n}]** ${link(trimText(e.title, 200), e.url)} · score ${e.score.toFixed(3)}`, ...passages].join('\n');
  });
  return messagesOf(textEmbeds(blocks.join('\n\n'), `Evidence for: ${escapeMarkdown(question)}`));
}

// ------------------------------------------------------------------ papers and topics

/** One line per paper: its link, a score, and a one-line snippet of evidence. */
export interface ListedPaper {
  paper: Paper;
  score?: number;
  snippet: string;
}

/** `title` and `empty` are Markdown: escape what they quote (a query, a paper's title) with `escapeMarkdown`. */
export function formatPaperList(title: string, items: ListedPaper[], empty: string): Payload[] {
  if (!items.length) return [{ content: empty, allowedMentions: NO_MENTIONS }];
  const lines = items.map((item, i) => {
    const score = item.score === undefined ? '' : ` · ${item.score.toFixed(2)}`;
    return `**${i + 1}.** ${link(trimText(item.paper.title, 200), item.paper.url)}${score}\n> ${oneLine(escapeMarkdown(item.snippet))}`;
  });
  return messagesOf(textEmbeds(lines.join('\n'), title));
}

export function formatPaper(paper: Paper, topic?: Topic): Payload {
  const fields: APIEmbed['fields'] = [];
  if (paper.authors?.length) {
    const shown = paper.authors.slice(0, 8).join(', ');
    const more = (paper.authorCount ?? paper.authors.length) - Math.min(8, paper.authors.length);
    fields.push({ name: 'Authors', value: plain(more > 0 ? `${shown} and ${more} more` : shown, 500) });
  } else if (paper.listedBy?.length) {
    // The source names only the author page's owner: never shown as the sole author.
    fields.push({ name: 'Authors', value: plain(listedByText(paper)!, 500) });
  }
  if (paper.date) fields.push({ name: 'Date', value: plain(paper.date, 100), inline: true });
  if (paper.venue) fields.push({ name: 'Venue', value: plain(paper.venue, 200), inline: true });
  if (topic) fields.push({ name: 'Topic', value: plain(topic.label, 300) });
  if (paper.tags?.length) fields.push({ name: 'Tags', value: plain(paper.tags.join(', '), 300) });
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(customId('paper', 'similar', paper.id))
      .setLabel('Similar papers')
      .setStyle(ButtonStyle.Secondary),
    new ButtonBuilder()
      .setCustomId(customId('paper', 'ask', paper.id))
      .setLabel('Ask about this paper')
      .setStyle(ButtonStyle.Primary),
  );
  return {
    embeds: [
      {
        color: COLOR,
        title: plain(paper.title, LIMITS.title),
        ...embedUrl(paper.url),
        // Short enough that title, fields (capped above) and footer fit in the 6,000 as well.
        description: trimText(escapeMarkdown(paper.abstract), LIMITS.description - 1_000),
        ...(fields.length ? { fields } : {}),
        ...(paper.urlIsDirect ? {} : { footer: { text: 'The link is an arXiv search for this title.' } }),
      },
    ],
    components: [row],
    allowedMentions: NO_MENTIONS,
  };
}

export function formatTopics(topics: Topic[]): Payload[] {
  if (!topics.length) return [{ content: 'No topics have been found in this collection yet (rebuild the index).', allowedMentions: NO_MENTIONS }];
  const papers = topics.reduce((n, t) => n + t.papers.length, 0);
  const lines = topics.map((t) => `**${plain(t.label, 300)}** — ${t.papers.length} paper${t.papers.length === 1 ? '' : 's'}`);
  const embeds = textEmbeds(lines.join('\n'), `${topics.length} topics over ${papers} papers`);
  embeds[embeds.length - 1].footer = { text: 'Pick one with /topics topic:<name> to list its papers.' };
  return messagesOf(embeds);
}

/** Papers per page of a topic; pages also stop short of the description limit. */
export const TOPIC_PAGE_SIZE = 15;

/** The pages of a topic's paper list, each within the description limit. */
export function topicPages(papers: Paper[]): string[] {
  const pages: string[] = [];
  let lines: string[] = [];
  let size = 0;
  papers.forEach((paper, i) => {
    const line = `**${i + 1}.** ${link(trimText(paper.title, 200), paper.url)}`;
    if (lines.length && (lines.length >= TOPIC_PAGE_SIZE || size + line.length + 1 > LIMITS.description)) {
      pages.push(lines.join('\n'));
      lines = [];
      size = 0;
    }
    lines.push(line);
    size += line.length + 1;
  });
  if (lines.length) pages.push(lines.join('\n'));
  return pages;
}

/** One page of a topic's papers, with previous / next buttons when there is more than one. */
export function formatTopicPage(topic: Topic, papers: Paper[], page: number): Payload {
  const pages = topicPages(papers);
  const p = Math.min(Math.max(0, page), pages.length - 1);
  const payload: Payload = {
    embeds: [
      {
        color: COLOR,
        title: plain(topic.label, LIMITS.title),
        description: pages[p] ?? 'No papers.',
        footer: { text: `${papers.length} papers${pages.length > 1 ? ` · page ${p + 1} of ${pages.length}` : ''}` },
      },
    ],
    components: [],
    allowedMentions: NO_MENTIONS,
  };
  if (pages.length > 1) {
    payload.components = [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        // Disabled buttons still need distinct ids; they name real pages so no id is ever out of range.
        new ButtonBuilder()
          .setCustomId(customId('topics', 'page', topic.id, Math.max(0, p - 1)))
          .setLabel('Previous')
          .setStyle(ButtonStyle.Secondary)
          .setDisabled(p === 0),
        new ButtonBuilder()
          .setCustomId(customId('topics', 'page', topic.id, p === pages.length - 1 ? p : p + 1))
          .setLabel('Next')
          .setStyle(ButtonStyle.Secondary)
          .setDisabled(p === pages.length - 1),
      ),
    ];
  }
  return payload;
}

export function formatAbout(about: About): Payload {
  const fields = [
    { name: 'Papers', value: String(about.papers), inline: true },
    { name: 'Passages', value: String(about.chunks), inline: true },
    { name: 'Topics', value: String(about.topics), inline: true },
    { name: 'Index built', value: about.builtAt || 'unknown', inline: true },
    { name: 'Embedding model', value: `${about.embeddings} (${about.dimensions} dimensions)`, inline: true },
    { name: 'LLM backend', value: about.model ? `${about.backend} (${about.model})` : about.backend, inline: true },
    { name: 'Version', value: about.version, inline: true },
  ].map((f) => ({ ...f, value: plain(f.value, LIMITS.fieldValue) }));
  return {
    embeds: [{ color: COLOR, title: 'About Litbot', description: 'Answers questions about a collection of research-paper abstracts, citing every paper it uses.', fields }],
    allowedMentions: NO_MENTIONS,
  };
}

export function formatHelp(commands: { name: string; description: string }[], options: { messageContent?: boolean } = {}): Payload {
  const lines = commands.map((c) => `**/${c.name}** — ${c.description}`);
  lines.push(
    '',
    options.messageContent
      ? '**@Litbot <question>** — ask in a channel; Litbot answers in a thread on your message, and later messages in that thread are follow-ups.'
      : '**@Litbot <question>** — ask in a channel; Litbot answers in a thread on your message. Mention @Litbot again in that thread for a follow-up ' +
          "(follow-ups without a mention need the bot's owner to switch on the Message Content intent in the Discord Developer Portal and set DISCORD_MESSAGE_CONTENT=true).",
    'Direct messages work too.',
    '',
    'Answers cite papers as [n]; the sources under them link to each paper. **Evidence** shows the passages used.',
  );
  return { embeds: [{ color: COLOR, title: 'Litbot help', description: lines.join('\n') }], allowedMentions: NO_MENTIONS };
}

/**
 * A short message in Litbot's words (errors, hints), never pinging anyone. It may quote what a
 * user typed, so links in it are shown unlinked.
 */
export function textPayload(content: string): Payload {
  return { content: trimText(safeAnswerMarkdown(content), LIMITS.content), allowedMentions: NO_MENTIONS };
}
