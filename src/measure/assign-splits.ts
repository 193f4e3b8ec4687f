/**
 * Splits labelled questions into a tuning part and a test part by a seeded shuffle, stratified by
 * kind, so the split is reproducible and nobody picks it by hand. Rules and weights are fitted on
 * `tune`; reported figures quote `test`.
 *
 * `npx tsx src/measure/assign-splits.ts <file> [--seed N] [--all tune|test]` rewrites the file's
 * `split` fields in place. The file is either an array of items (questions.json, followups.json) or
 * `{ questions, conversations }` (discord-questions.json); each array is split on its own.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { intOption, program, runCli } from '../cli/run-cli.js';
import { seededRandom } from '../browse/spherical-kmeans.js';

export type Split = 'tune' | 'test';

/** The seed every fixture in test/fixtures was split with (see docs/questions.md). */
export const SPLIT_SEED = 12;

/**
 * Questions quoted in issue 12: they were known while the rules were written, so they can only be
 * tuned on. Matched on the question text, case and surrounding spaces ignored.
 */
export const ISSUE_EXAMPLES: readonly string[] = [
  'What does MIGU do?',
  'what is catastrophic forgetting?',
  'tell me about fine-tuning',
  'wat dos lora droput do agianst overfiting?',
  'What is the best learning rate schedule for training diffusion models on ImageNet?',
  'hi',
  'thanks!',
  'what can you do?',
  'help',
];

const pinnedTexts = new Set(ISSUE_EXAMPLES.map((q) => q.trim().toLowerCase()));

/** True when `question` is one of the issue's examples (always `tune`). */
export function isIssueExample(question: string): boolean {
  return pinnedTexts.has(question.trim().toLowerCase());
}

/** FNV-1a of a string, to derive one stream per stratum from the seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export interface SplitOptions<T> {
  seed: number;
  /** The stratum of an item (its kind); each stratum is shuffled and halved on its own. */
  group: (item: T) => string;
  /** Items that must be in `tune` whatever the shuffle says; they are left out of the halving. */
  pinned?: (item: T) => boolean;
}

/**
 * The split of each item, in input order. Per stratum, the unpinned items are shuffled
 * (Fisher-Yates with a PRNG seeded from `seed` and the stratum's name) and the first half, rounded
 * up, goes to `test`; the rest and every pinned item go to `tune`.
 */
export function assignSplits<T>(items: readonly T[], options: SplitOptions<T>): Split[] {
  const splits: Split[] = items.map(() => 'tune');
  const strata = new Map<string, number[]>();
  items.forEach((item, i) => {
    if (options.pinned?.(item)) return;
    const key = options.group(item);
    strata.set(key, [...(strata.get(key) ?? []), i]);
  });
  for (const [key, indices] of [...strata].sort(([a], [b]) => a.localeCompare(b))) {
    const random = seededRandom((options.seed ^ hash(key)) >>> 0);
    const order = [...indices];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order.slice(0, Math.ceil(order.length / 2))) splits[i] = 'test';
  }
  return splits;
}

/** What the split reads of a fixture item: its kind and its question, when it has them. */
export interface SplitItem {
  kind?: string;
  question?: unknown;
  split?: Split;
}

type Item = SplitItem & { [key: string]: unknown };

/** Splits one array of fixture items: by `kind` (one stratum when there is none), issue examples pinned to `tune`. */
export function splitItems<T extends SplitItem>(items: readonly T[], seed = SPLIT_SEED): Split[] {
  return assignSplits(items, {
    seed,
    group: (item) => item.kind ?? 'conversation',
    pinned: (item) => typeof item.question === 'string' && isIssueExample(item.question),
  });
}

function main(): Promise<void> {
  const cmd = program('assign-splits', 'Set the tune/test split of every item of a labelled question file, in place.')
    .argument('<file>', 'questions.json, followups.json or discord-questions.json')
    .option('--seed <n>', 'shuffle seed', intOption('seed', 0, 2 ** 32 - 1), SPLIT_SEED)
    .option('--all <split>', 'put every item in this split (tune or test) instead of shuffling')
    .parse();
  const opts = cmd.opts<{ seed: number; all?: string }>();
  const file = cmd.args[0];
  if (opts.all !== undefined && opts.all !== 'tune' && opts.all !== 'test') throw new Error('--all must be tune or test');
  const all = opts.all as Split | undefined;
  // Spreading keeps an existing `split` where it was and appends a new one, so diffs stay small.
  const apply = (items: Item[]) => {
    const splits = all ? items.map(() => all) : splitItems(items, opts.seed);
    return items.map((item, i) => ({ ...item, split: splits[i] }));
  };
  const count = (items: Item[]) => {
    const counts: Record<string, number> = {};
    for (const it of items) counts[`${it.kind ?? 'conversation'}/${it.split}`] = (counts[`${it.kind ?? 'conversation'}/${it.split}`] ?? 0) + 1;
    return counts;
  };
  const data = JSON.parse(readFileSync(file, 'utf8')) as Item[] | Record<string, unknown>;
  if (Array.isArray(data)) {
    const out = apply(data);
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    process.stdout.write(`${file}: ${JSON.stringify(count(out))}\n`);
  } else {
    const out = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Array.isArray(v) ? apply(v as Item[]) : v]));
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    for (const [k, v] of Object.entries(out)) if (Array.isArray(v)) process.stdout.write(`${file} ${k}: ${JSON.stringify(count(v))}\n`);
  }
  return Promise.resolve();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runCli(main);
