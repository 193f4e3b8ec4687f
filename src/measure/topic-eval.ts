/**
 * How close the automatic topics come to a human grouping of the same papers: normalised mutual
 * information (arithmetic-mean normalisation, as scikit-learn's default) and the adjusted Rand
 * index. Both are 1 for identical partitions; ARI is about 0 for a random one.
 */
import type { Topic } from '../browse/types.js';

export interface TopicEval {
  nmi: number;
  ari: number;
  /** Papers present in both the topics and the human grouping. */
  papers: number;
  topics: number;
  humanGroups: number;
}

function contingency(a: string[], b: string[]): { table: Map<string, Map<string, number>>; rows: Map<string, number>; cols: Map<string, number> } {
  const table = new Map<string, Map<string, number>>();
  const rows = new Map<string, number>();
  const cols = new Map<string, number>();
  a.forEach((x, i) => {
    const y = b[i];
    const row = table.get(x) ?? new Map<string, number>();
    row.set(y, (row.get(y) ?? 0) + 1);
    table.set(x, row);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    cols.set(y, (cols.get(y) ?? 0) + 1);
  });
  return { table, rows, cols };
}

function entropy(counts: Iterable<number>, n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

/** NMI with the arithmetic mean of the two entropies as normaliser. */
export function normalizedMutualInformation(a: string[], b: string[]): number {
  const n = a.length;
  if (n === 0) return 0;
  const { table, rows, cols } = contingency(a, b);
  let mi = 0;
  for (const [x, row] of table) {
    for (const [y, c] of row) mi += (c / n) * Math.log((n * c) / (rows.get(x)! * cols.get(y)!));
  }
  const ha = entropy(rows.values(), n);
  const hb = entropy(cols.values(), n);
  // Two single-cluster partitions agree perfectly.
  if (ha === 0 && hb === 0) return 1;
  return mi / ((ha + hb) / 2);
}

const pairs = (x: number) => (x * (x - 1)) / 2;

/** Hubert and Arabie's adjusted Rand index. */
export function adjustedRandIndex(a: string[], b: string[]): number {
  const n = a.length;
  if (n < 2) return 1;
  const { table, rows, cols } = contingency(a, b);
  let index = 0;
  for (const row of table.values()) for (const c of row.values()) index += pairs(c);
  let sumRows = 0;
  for (const c of rows.values()) sumRows += pairs(c);
  let sumCols = 0;
  for (const c of cols.values()) sumCols += pairs(c);
  const expected = (sumRows * sumCols) / pairs(n);
  const max = (sumRows + sumCols) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}

/**
 * Scores `topics` against `human` (paper id → human topic name) on the papers both cover.
 */
export function evaluateTopics(topics: Topic[], human: Record<string, string>): TopicEval {
  const auto: string[] = [];
  const manual: string[] = [];
  for (const topic of topics) {
    for (const { paperId } of topic.papers) {
      const h = human[paperId];
      if (h === undefined) continue;
      auto.push(String(topic.id));
      manual.push(h);
    }
  }
  return {
    nmi: normalizedMutualInformation(auto, manual),
    ari: adjustedRandIndex(auto, manual),
    papers: auto.length,
    topics: new Set(auto).size,
    humanGroups: new Set(manual).size,
  };
}

/** Prints the topic scores and the topic list (id, size, label) as `npm run eval` shows them. */
export function printTopicEval(topics: Topic[], human: Record<string, string>, log: (line: string) => void): TopicEval {
  const result = evaluateTopics(topics, human);
  log(`Topics vs the human grouping (test/fixtures/topics-human.json), ${result.papers} papers:`);
  log(`  ${result.topics} automatic topics, ${result.humanGroups} human groups`);
  log(`  NMI ${result.nmi.toFixed(3)} (target >= 0.6)   ARI ${result.ari.toFixed(3)}`);
  for (const t of topics) log(`  #${String(t.id).padEnd(3)} ${String(t.papers.length).padStart(3)} papers  ${t.label}`);
  return result;
}
