/** Retrieval quality on the labelled question set: Recall@1/5/10 and MRR@10 per search mode. */
import type { SearchMode, SearchResponse, SearchOptions } from '../retrieval/types.js';

export interface LabelledQuestion {
  id: string;
  question: string;
  relevant: string[];
  kind: 'answerable' | 'out-of-corpus' | 'false-premise';
}

export interface RetrievalScores {
  mode: SearchMode;
  questions: number;
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  mrrAt10: number;
  /** Questions whose best paper is not in the top 10, for tuning. */
  misses: { id: string; question: string; rankOfFirstRelevant?: number }[];
}

/**
 * Recall@k here is "a relevant paper is in the top k" (success@k), the usual figure when most
 * questions have one relevant paper; MRR@10 uses the first relevant paper's rank.
 */
export async function evaluateRetrieval(
  search: (query: string, options: SearchOptions) => Promise<SearchResponse>,
  questions: LabelledQuestion[],
  mode: SearchMode,
): Promise<RetrievalScores> {
  const answerable = questions.filter((q) => q.kind === 'answerable' && q.relevant.length);
  let r1 = 0;
  let r5 = 0;
  let r10 = 0;
  let mrr = 0;
  const misses: RetrievalScores['misses'] = [];
  for (const q of answerable) {
    const { hits } = await search(q.question, { k: 10, mode });
    const rank = hits.findIndex((h) => q.relevant.includes(h.paperId)) + 1;
    if (rank === 1) r1++;
    if (rank >= 1 && rank <= 5) r5++;
    if (rank >= 1 && rank <= 10) {
      r10++;
      mrr += 1 / rank;
    } else misses.push({ id: q.id, question: q.question });
  }
  const n = answerable.length || 1;
  return { mode, questions: answerable.length, recallAt1: r1 / n, recallAt5: r5 / n, recallAt10: r10 / n, mrrAt10: mrr / n, misses };
}

export function formatRetrievalTable(rows: RetrievalScores[]): string {
  const head = 'mode     questions  R@1    R@5    R@10   MRR@10';
  const lines = rows.map(
    (r) =>
      `${r.mode.padEnd(8)} ${String(r.questions).padStart(9)}  ${r.recallAt1.toFixed(3)}  ${r.recallAt5.toFixed(3)}  ${r.recallAt10.toFixed(3)}  ${r.mrrAt10.toFixed(3)}`,
  );
  return [head, ...lines].join('\n');
}
