/**
 * Sentence-window chunks: consecutive sentences of an abstract, overlapping by one sentence, each
 * sized so that "title. chunk" fits the embedder's input window as its own tokenizer counts it.
 */
import type { Paper } from '../corpus/paper.js';
import { splitSentences } from '../corpus/normalize.js';
import type { Chunk } from '../retrieval/types.js';

export interface ChunkingOptions {
  /** Token budget for title plus chunk; keep a margin under the model's window. */
  maxTokens: number;
  /** Sentences shared by neighbouring chunks. */
  overlapSentences: number;
  countTokens: (text: string) => number;
}

/** The text the embedder sees for a chunk: the paper's title, then the passage. */
export function embedText(title: string, text: string): string {
  return `${title}. ${text}`;
}

/** Splits a sentence longer than the budget at word boundaries. */
function splitLong(sentence: string, budget: number, count: (t: string) => number): string[] {
  const words = sentence.split(/\s+/);
  const parts: string[] = [];
  let current: string[] = [];
  for (const word of words) {
    const candidate = [...current, word].join(' ');
    if (current.length && count(candidate) > budget) {
      parts.push(current.join(' '));
      current = [word];
    } else current.push(word);
  }
  if (current.length) parts.push(current.join(' '));
  return parts;
}

export function chunkPaper(paper: Paper, options: ChunkingOptions): Chunk[] {
  const { countTokens, overlapSentences, maxTokens } = options;
  // Very long titles are cut so that a passage still fits beside them.
  const titleWords = paper.title.split(/\s+/);
  let title = paper.title;
  while (countTokens(`${title}.`) > maxTokens / 3 && titleWords.length > 4) title = titleWords.splice(-1, 1) && titleWords.join(' ');
  const fits = (text: string) => countTokens(embedText(title, text)) <= maxTokens;
  const budget = maxTokens - countTokens(`${title}.`);
  const sentences = splitSentences(paper.abstract).flatMap((s) => (fits(s) ? [s] : splitLong(s, budget, (t) => countTokens(embedText(title, t)) - (maxTokens - budget))));
  const chunks: Chunk[] = [];
  let start = 0;
  let covered = 0;
  while (start < sentences.length) {
    let end = start + 1;
    while (end < sentences.length && fits(sentences.slice(start, end + 1).join(' '))) end++;
    // An overlap sentence that cannot share a window with the next one would repeat alone: skip it.
    if (end <= covered) {
      start = covered;
      continue;
    }
    const text = sentences.slice(start, end).join(' ');
    chunks.push({ id: `${paper.id}#${chunks.length}`, paperId: paper.id, seq: chunks.length, text, embedText: embedText(title, text) });
    if (end >= sentences.length) break;
    covered = end;
    start = Math.max(start + 1, end - overlapSentences);
  }
  return chunks;
}

export function chunkPapers(papers: Paper[], options: ChunkingOptions): Chunk[] {
  return papers.flatMap((p) => chunkPaper(p, options));
}
