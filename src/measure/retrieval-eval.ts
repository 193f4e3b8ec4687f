/**
 * Retrieval quality on a labelled question set: Recall@1/5/10 and MRR@10 per ranking (dense,
 * BM25, the old fixed fusion, the learned ranker), and the recall@10 of multi-paper questions.
 */
import type { SearchOptions, SearchResponse } from '../retrieval/types.js';
import { ANSWER_KINDS, isMultiPaper, type LabelledQuestion } from './labelled-questions.js';

export type { LabelledQuestion } from './labelled-questions.js';

/** A ranking to measure: a name for the table and the search options that produce it. */
export interface Ranking {
  name: string;
  options: SearchOptions;
}

/** The rankings `npm run eval` compares. "fixed (before)" is the fusion the learned ranker replaced, without typo correction. */
export const RANKINGS: Ranking[] = [
  { name: 'dense', options: { mode: 'dense' } },
  { name: 'bm25', options: { mode: 'bm25' } },
  { name: 'fixed (before)', options: { mode: 'hybrid', ranker: 'fixed', correct: false } },
  { name: 'hybrid (learned)', options: { mode: 'hybrid' } },
];

export interface RetrievalScores {
  mode: string;
  questions: number;
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  mrrAt10: number;
  /** Multi-paper questions: how many, and the mean share of their relevant papers in the top 10. */
  multiPaper: { questions: number; recallAt10: number };
  /** Questions whose best paper is not in the top 10. */
  misses: { id: string; question: string; rankOfFirstRelevant?: number }[];
}

/**
 * Recall@k here is "a relevant paper is in the top k" (success@k), the usual figure when most
 * questions have one relevant paper; MRR@10 uses the first relevant paper's rank. Multi-paper
 * recall@10 is the share of all relevant papers in the top 10.
 */
export async function evaluateRetrieval(
  search: (query: string, options: SearchOptions) => Promise<SearchResponse>,
  questions: LabelledQuestion[],
  ranking: Ranking,
): Promise<RetrievalScores> {
  const answerable = questions.filter((q) => ANSWER_KINDS.has(q.kind) && q.relevant.length);
  let r1 = 0;
  let r5 = 0;
  let r10 = 0;
  let mrr = 0;
  let multi = 0;
  let multiRecall = 0;
  const misses: RetrievalScores['misses'] = [];
  for (const q of answerable) {
    const { hits } = await search(q.question, { ...ranking.options, k: 10 });
    const rank = hits.findIndex((h) => q.relevant.includes(h.paperId)) + 1;
    if (rank === 1) r1++;
    if (rank >= 1 && rank <= 5) r5++;
    if (rank >= 1 && rank <= 10) {
      r10++;
      mrr += 1 / rank;
    } else misses.push({ id: q.id, question: q.question });
    if (isMultiPaper(q)) {
      multi++;
      multiRecall += q.relevant.filter((id) => hits.some((h) => h.paperId === id)).length / q.relevant.length;
    }
  }
  const n = answerable.length || 1;
  return {
    mode: ranking.name,
    questions: answerable.length,
    recallAt1: r1 / n,
    recallAt5: r5 / n,
    recallAt10: r10 / n,
    mrrAt10: mrr / n,
    multiPaper: { questions: multi, recallAt10: multi ? multiRecall / multi : 0 },
    misses,
  };
}

export function formatRetrievalTable(rows: RetrievalScores[]): string {
  const head = 'ranking            questions  R@1    R@5    R@10   MRR@10  multi-paper R@10';
  const lines = rows.map(
    (r) =>
      `${r.mode.padEnd(18)} ${String(r.questions).padStart(9)}  ${r.recallAt1.toFixed(3)}  ${r.recallAt5.toFixed(3)}  ${r.recallAt10.toFixed(3)}  ${r.mrrAt10.toFixed(3)}   ${r.multiPaper.questions ? `${r.multiPaper.recallAt10.toFixed(3)} (${r.multiPaper.questions} q)` : '-'}`,
  );
  return [head, ...lines].join('\n');
}
