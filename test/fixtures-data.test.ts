/**
 * Integrity of the labelled question sets in test/fixtures against the shipped seed corpus: ids
 * that exist, splits that are the seeded shuffle's, kinds from the list, key facts a quote of the
 * right abstract satisfies, and the sizes issue 12 asks for.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import type { Paper } from '../src/corpus/paper.js';
import { isIssueExample, ISSUE_EXAMPLES, splitItems, type Split } from '../src/measure/assign-splits.js';
import { factStated, type KeyFact } from '../src/measure/key-facts.js';

interface Labelled {
  id: string;
  question: string;
  kind: string;
  relevant: string[];
  facts?: KeyFact[];
  split?: Split;
}
interface Turn {
  question: string;
  relevant: string[];
}
interface Conversation {
  id: string;
  turns: Turn[];
  split?: Split;
}
interface FollowUp {
  turns: string[];
  relevant: string[];
  split?: Split;
}

const read = <T>(name: string): T => JSON.parse(readFileSync(`test/fixtures/${name}`, 'utf8')) as T;
const questions = read<Labelled[]>('questions.json');
const followups = read<FollowUp[]>('followups.json');
const discord = read<{ questions: Labelled[]; conversations: Conversation[] }>('discord-questions.json');
const tuning = read<Labelled[]>('tuning-questions.json');
const tuningConversations = read<{ conversations: Conversation[] }>('tuning-conversations.json').conversations;

const papers = new Map<string, Paper>(loadCorpus('seeds').papers.map((p) => [p.id, p]));

const DISCORD_KINDS = ['answerable', 'multi-paper', 'vague', 'chit-chat', 'off-topic', 'false-premise'];
const NO_PAPER_KINDS = new Set(['chit-chat', 'off-topic', 'out-of-corpus']);

const unknownIds = (ids: string[]) => ids.filter((id) => !papers.has(id));
const countBy = <T>(items: T[], key: (item: T) => string) => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
};

/** Facts none of whose relevant papers states every key in its title or abstract. */
function unsatisfiableFacts(items: Labelled[]): string[] {
  const problems: string[] = [];
  for (const q of items) {
    for (const fact of q.facts ?? []) {
      const quotable = q.relevant.some((id) => {
        const paper = papers.get(id);
        return paper !== undefined && factStated(fact, `${paper.title}\n${paper.abstract}`);
      });
      if (!quotable) problems.push(`${q.id}: ${fact.keys.join(' + ')}`);
    }
  }
  return problems;
}

/** Facts the question's own words already state, which a reply could satisfy by echoing the question. */
function echoedFacts(items: Labelled[]): string[] {
  return items.flatMap((q) => (q.facts ?? []).filter((f) => factStated(f, q.question)).map((f) => `${q.id}: ${f.keys.join(' + ')}`));
}

/** Questions whose facts are missing or out of shape (1-3 facts, 1-3 non-empty keys each). */
function malformedFacts(items: Labelled[]): string[] {
  return items
    .filter((q) => q.kind === 'answerable')
    .filter((q) => {
      const facts = q.facts ?? [];
      if (facts.length < 1 || facts.length > 3) return true;
      return facts.some((f) => !f.text.trim() || f.keys.length < 1 || f.keys.length > 3 || f.keys.some((k) => k.split('|').some((alt) => !alt.trim())));
    })
    .map((q) => q.id);
}

/** Tune and test counts per group. */
function splitCounts<T extends { split?: Split }>(items: T[], group: (item: T) => string): Map<string, { tune: number; test: number }> {
  const byGroup = new Map<string, { tune: number; test: number }>();
  for (const item of items) {
    const counts = byGroup.get(group(item)) ?? { tune: 0, test: 0 };
    if (item.split) counts[item.split]++;
    byGroup.set(group(item), counts);
  }
  return byGroup;
}

describe('the seed corpus the fixtures point at', () => {
  it('is loaded, so the id checks below are not vacuous', () => {
    expect(papers.size).toBeGreaterThan(150);
  });
});

describe('tuning-questions.json (more tuning data, written later from the abstracts)', () => {
  it('is tuning data only, names only papers of the seed corpus, with unique ids', () => {
    expect(tuning.filter((q) => q.split !== 'tune').map((q) => q.id)).toEqual([]);
    expect(tuning.flatMap((q) => unknownIds(q.relevant))).toEqual([]);
    expect(new Set(tuning.map((q) => q.id)).size).toBe(tuning.length);
    expect(tuning.filter((q) => NO_PAPER_KINDS.has(q.kind) !== (q.relevant.length === 0)).map((q) => q.id)).toEqual([]);
  });

  it('gives every answerable question facts a relevant paper states and the question does not', () => {
    expect(malformedFacts(tuning)).toEqual([]);
    expect(unsatisfiableFacts(tuning)).toEqual([]);
    expect(echoedFacts(tuning)).toEqual([]);
  });
});

describe('tuning-conversations.json (more tuning conversations, written later from the abstracts)', () => {
  it('is tuning data only: 2-3 turns each, naming only papers of the seed corpus, with unique ids', () => {
    expect(tuningConversations.length).toBeGreaterThanOrEqual(30);
    expect(tuningConversations.filter((c) => c.split !== 'tune').map((c) => c.id)).toEqual([]);
    expect(tuningConversations.flatMap((c) => c.turns.flatMap((t) => unknownIds(t.relevant)))).toEqual([]);
    expect(tuningConversations.filter((c) => c.turns.length < 2 || c.turns.length > 3).map((c) => c.id)).toEqual([]);
    expect(new Set(tuningConversations.map((c) => c.id)).size).toBe(tuningConversations.length);
  });
});

describe('questions.json', () => {
  it('names only papers of the seed corpus, with unique ids', () => {
    expect(questions.flatMap((q) => unknownIds(q.relevant))).toEqual([]);
    expect(new Set(questions.map((q) => q.id)).size).toBe(questions.length);
  });

  it('uses only the kinds answerable, out-of-corpus and false-premise', () => {
    expect(questions.filter((q) => !['answerable', 'out-of-corpus', 'false-premise'].includes(q.kind)).map((q) => q.id)).toEqual([]);
  });

  it('puts every question in tune or test, about half of each kind in test', () => {
    expect(questions.filter((q) => q.split !== 'tune' && q.split !== 'test').map((q) => q.id)).toEqual([]);
    for (const [kind, { tune, test }] of splitCounts(questions, (q) => q.kind)) {
      expect(Math.abs(tune - test), kind).toBeLessThanOrEqual(1);
    }
  });

  it('has exactly the split the seeded shuffle gives, so nobody picked it by hand', () => {
    expect(questions.map((q) => q.split)).toEqual(splitItems(questions));
  });

  it('gives every answerable question 1 to 3 well-formed key facts', () => {
    expect(malformedFacts(questions)).toEqual([]);
    expect(questions.filter((q) => q.kind !== 'answerable' && q.facts).map((q) => q.id)).toEqual([]);
  });

  it('has key facts a quote of a relevant paper satisfies and an echo of the question does not', () => {
    expect(unsatisfiableFacts(questions)).toEqual([]);
    expect(echoedFacts(questions)).toEqual([]);
  });
});

describe('followups.json', () => {
  it('is all tuning data and names only seed papers', () => {
    expect(followups.filter((c) => c.split !== 'tune')).toEqual([]);
    expect(followups.flatMap((c) => unknownIds(c.relevant))).toEqual([]);
  });
});

describe('discord-questions.json', () => {
  const { questions: single, conversations } = discord;

  it('names only papers of the seed corpus, with unique ids and questions', () => {
    expect(single.flatMap((q) => unknownIds(q.relevant))).toEqual([]);
    expect(conversations.flatMap((c) => c.turns.flatMap((t) => unknownIds(t.relevant)))).toEqual([]);
    const ids = [...single.map((q) => q.id), ...conversations.map((c) => c.id)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(single.map((q) => q.question.toLowerCase())).size).toBe(single.length);
  });

  it('uses only the listed kinds, each with the papers it needs', () => {
    expect(single.filter((q) => !DISCORD_KINDS.includes(q.kind)).map((q) => q.id)).toEqual([]);
    expect(single.filter((q) => NO_PAPER_KINDS.has(q.kind) && q.relevant.length > 0).map((q) => q.id)).toEqual([]);
    expect(single.filter((q) => !NO_PAPER_KINDS.has(q.kind) && q.relevant.length === 0).map((q) => q.id)).toEqual([]);
  });

  it('has at least 130 questions and 16 conversations of 2-3 turns, in the rough proportions asked for', () => {
    expect(single.length).toBeGreaterThanOrEqual(130);
    expect(conversations.length).toBeGreaterThanOrEqual(16);
    expect(conversations.filter((c) => c.turns.length < 2 || c.turns.length > 3).map((c) => c.id)).toEqual([]);
    const kinds = countBy(single, (q) => q.kind);
    expect(kinds.answerable).toBeGreaterThanOrEqual(50);
    expect(kinds['multi-paper']).toBeGreaterThanOrEqual(10);
    expect(kinds.vague).toBeGreaterThanOrEqual(10);
    expect(kinds['chit-chat']).toBeGreaterThanOrEqual(10);
    expect(kinds['off-topic']).toBeGreaterThanOrEqual(20);
  });

  it('includes figure questions and questions typed in lower case without a question mark', () => {
    const answerable = single.filter((q) => q.kind === 'answerable');
    expect(answerable.filter((q) => /\b(how much|how many|accuracy|speedup|points)\b/i.test(q.question)).length).toBeGreaterThanOrEqual(6);
    expect(answerable.filter((q) => q.question.split(/\s+/).length <= 4).length).toBeGreaterThanOrEqual(10);
    expect(single.filter((q) => q.question === q.question.toLowerCase() && !q.question.includes('?')).length).toBeGreaterThan(single.length / 2);
  });

  it('puts the issue examples in tune and about half of everything else in test', () => {
    expect(single.filter((q) => isIssueExample(q.question) && q.split !== 'tune').map((q) => q.id)).toEqual([]);
    expect(single.filter((q) => isIssueExample(q.question)).length).toBe(ISSUE_EXAMPLES.length);
    expect([...single, ...conversations].filter((x) => x.split !== 'tune' && x.split !== 'test')).toEqual([]);
    const rest = single.filter((q) => !isIssueExample(q.question));
    for (const [kind, { tune, test }] of splitCounts(rest, (q) => q.kind)) {
      expect(Math.abs(tune - test), kind).toBeLessThanOrEqual(1);
    }
    expect(single.filter((q) => q.split === 'test').length).toBeGreaterThanOrEqual(60);
    expect(conversations.filter((c) => c.split === 'test').length).toBeGreaterThanOrEqual(8);
  });

  it('has exactly the split the seeded shuffle gives', () => {
    expect(single.map((q) => q.split)).toEqual(splitItems(single));
    expect(conversations.map((c) => c.split)).toEqual(splitItems(conversations));
  });

  it('gives every answerable question well-formed key facts that a quote of a relevant paper satisfies and an echo does not', () => {
    expect(malformedFacts(single)).toEqual([]);
    expect(unsatisfiableFacts(single)).toEqual([]);
    expect(echoedFacts(single)).toEqual([]);
  });
});
