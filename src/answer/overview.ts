/**
 * Broad questions ("tell me about fine-tuning", "anything on unlearning?", "rag") get an overview
 * instead of quotes from whichever paper ranks first: the topics the words belong to, the few most
 * central matching papers with one line each, and a hint to narrow down.
 *
 * A question is vague when all of these hold, each a signal one can check by hand:
 * - it is short: at most `VAGUE.maxWords` topic words once a wrapper such as "tell me about" or
 *   "anything on" is removed, and nothing else (no "how", "why", "does");
 * - it names nothing specific: each of its words occurs in at least `VAGUE.minPapers` papers (a
 *   method's name such as "MIGU" occurs in one or two);
 * - many papers match it about equally: at least `VAGUE.minPapers` papers hold every one of its words.
 * The thresholds were checked on the tuning parts of the question sets (`test/overview.test.ts`).
 */
import type { Topic } from '../browse/types.js';
import { escapeMarkdown, formatPaperLine, paperLines, type ExtractiveOptions, type ExtractiveSource } from './extractive.js';
import type { TermPostings } from './term-postings.js';
import { contentTerms, words } from './terms.js';

export const VAGUE = {
  /** Most topic words a vague question has. */
  maxWords: 3,
  /** Fewest papers each word, and all words together, must occur in. */
  minPapers: 4,
  /** Papers shown in an overview. */
  papers: 4,
  /** Topics named in an overview. */
  topics: 2,
};

/**
 * Openings that ask for a subject as a whole. What is left after one of them, or a question that is
 * nothing but a few words ("rag", "LoRA?"), is the subject.
 */
const WRAPPER =
  /^(?:(?:can you |could you |pls |please )?(?:tell me|talk|teach me) (?:(?:a bit|more|something|anything) )?(?:about|on)|(?:is there |got |do you have )?(?:anything|something|stuff|info|information|material|content) (?:on|about|regarding|re)|what about|how about|what do (?:you|u|ya) (?:know|have|got) (?:about|on)|what(?:'s| is) (?:new|happening|going on) (?:in|with)|(?:an |give me an |give me a )?(?:overview|summary|survey|rundown) (?:of|on)|(?:summari[sz]e|overview)|(?:i(?:'m| am) )?(?:interested|curious) (?:in|about)|topic:?|re:?)\s+/i;

/** The subject words of a broad question, or undefined when it asks something more specific. */
export function subjectOf(question: string): string | undefined {
  const q = question
    .trim()
    .replace(/[?!.…]+$/, '')
    .trim();
  const rest = q
    .replace(WRAPPER, '')
    .replace(/^(?:the|a|an)\s+/i, '')
    .replace(/\s+(?:stuff|things|research|papers|work|please|pls)$/i, '');
  const ws = words(rest);
  if (!ws.length || ws.length > VAGUE.maxWords + 1) return undefined;
  // Anything that reads as a question of its own ("how", "does", "why", "vs") is not a bare subject.
  // Pronouns point back at an earlier turn ("what about its results?"): not a subject either.
  if (
    ws.some((w) =>
      /^(?:how|why|when|where|who|which|what|whats|does|do|did|is|are|can|could|should|would|will|vs|versus|compare|compared|between|than|or|for|with|without|in|on|of|to|best|good|bad|better|worse|it|its|they|them|their|this|that|these|those|he|she|his|her|results?|findings?|more|else|same)$/.test(
        w,
      ),
    )
  )
    return undefined;
  return rest;
}

export interface Vagueness {
  vague: boolean;
  /** The subject, when the question has the shape of a broad one. */
  subject?: string;
  /** Papers holding every subject word. */
  matching: string[];
  /** Fewest papers any subject word occurs in. */
  rarestWordPapers: number;
  /** Why it is or is not vague, in a few words (for logs and tests). */
  reason: string;
}

/** Whether `question` is a broad one about a subject many papers share (see the module comment). */
export function assessVagueness(question: string, postings: TermPostings): Vagueness {
  const subject = subjectOf(question);
  if (!subject) return { vague: false, matching: [], rarestWordPapers: 0, reason: 'not the shape of a broad question' };
  const distinct = words(subject).filter((w) => contentTerms(w).length);
  if (!distinct.length) return { vague: false, subject, matching: [], rarestWordPapers: 0, reason: 'no subject words' };
  if (distinct.length > VAGUE.maxWords) return { vague: false, subject, matching: [], rarestWordPapers: 0, reason: `${distinct.length} subject words` };
  // A hyphenated word matches as a whole ("finetun") or by its parts; take whichever the papers use most.
  const sets = distinct.map((w) => {
    const options = [...new Set(contentTerms(w))].map((t) => postings.postings.get(t) ?? new Set<string>());
    return options.sort((a, b) => b.size - a.size)[0];
  });
  const rarest = Math.min(...sets.map((s) => s.size));
  const matching = [...sets[0]].filter((id) => sets.every((s) => s.has(id)));
  const base = { subject, matching, rarestWordPapers: rarest };
  if (rarest < VAGUE.minPapers) return { ...base, vague: false, reason: `a subject word occurs in only ${rarest} papers: specific` };
  if (matching.length < VAGUE.minPapers) return { ...base, vague: false, reason: `only ${matching.length} papers hold every subject word` };
  return { ...base, vague: true, reason: `${matching.length} papers hold "${subject}"` };
}

/** Topics a subject belongs to: those whose key phrases hold its words, else those most of its papers are in. */
export function topicsFor(subject: string, matching: string[], topics: Topic[]): Topic[] {
  const wanted = [...new Set(contentTerms(subject))];
  const byPhrase = topics.filter((t) => {
    const terms = new Set(contentTerms(`${t.label} ${t.keyPhrases.join(' ')}`));
    return wanted.some((w) => terms.has(w));
  });
  const held = new Set(matching);
  const share = (t: Topic) => t.papers.filter((p) => held.has(p.paperId)).length;
  const ranked = (byPhrase.length ? byPhrase : topics.filter((t) => share(t) >= 2)).sort((a, b) => share(b) - share(a));
  return ranked.slice(0, VAGUE.topics);
}

/** "MIGU: Unlocking ..." -> "MIGU"; a title without a one- or two-word name before its colon -> undefined. */
export function titleName(title: string): string | undefined {
  const head = /^([^:]{2,30}):\s/.exec(title)?.[1]?.trim();
  return head && head.split(/\s+/).length <= 2 ? head : undefined;
}

/** The question to suggest for narrowing down: what a named method among the papers does, else what the shortest-titled one finds. */
function narrowingExample(titles: string[], subject: string): string {
  const name = titles.map(titleName).find((n): n is string => !!n);
  if (name) return `What does ${name} do?`;
  const shortest = [...titles].sort((a, b) => a.length - b.length)[0];
  return `What does "${shortest}" find about ${subject}?`;
}

/**
 * The overview: how many papers hold the subject and under which topics, the few most central of
 * the retrieved papers with one quoted line each (cited), and a hint to narrow down. Returns ''
 * when fewer than two of the sources hold the subject.
 */
export function composeOverview(
  subject: string,
  matching: string[],
  topics: Topic[],
  sources: (ExtractiveSource & { paperId: string })[],
  options: ExtractiveOptions = {},
): string {
  const held = new Set(matching);
  const chosen = sources.filter((s) => held.has(s.paperId)).slice(0, VAGUE.papers);
  if (chosen.length < 2) return '';
  const lines = paperLines(subject, chosen, options);
  const named = topicsFor(subject, matching, topics).map((t) => `**${escapeMarkdown(t.label)}**`);
  const where = named.length ? `, mostly under the topic${named.length > 1 ? 's' : ''} ${named.join(' and ')}` : '';
  const intro = `"${escapeMarkdown(subject)}" comes up in ${matching.length} papers here${where}. Some of the most central:`;
  const hint = `Ask about one of them to narrow it down, e.g. "${escapeMarkdown(
    narrowingExample(
      chosen.map((c) => c.title),
      subject,
    ),
  )}"`;
  return [intro, ...lines.map(formatPaperLine), '', hint].join('\n');
}

/**
 * The papers an overview shows: the retrieved ones that hold the subject, in the retriever's order
 * (closest to the subject first), then other papers that hold it, up to `VAGUE.papers`.
 */
export function overviewPapers(retrieved: string[], matching: string[]): string[] {
  const held = new Set(matching);
  const first = retrieved.filter((id) => held.has(id));
  const rest = matching.filter((id) => !first.includes(id));
  return [...first, ...rest].slice(0, VAGUE.papers);
}
