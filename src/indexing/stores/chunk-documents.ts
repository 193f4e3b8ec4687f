/**
 * What both vector stores hold for each chunk, as a LangChain `Document`: the passage as
 * `pageContent`, and in `metadata` its ids and the paper facts the filters read (date, source
 * files), so a store can filter without the rest of the index.
 */
import type { DocumentInterface } from '@langchain/core/documents';
import type { Paper } from '../../corpus/paper.js';
import type { Chunk } from '../../retrieval/types.js';

export interface ChunkMetadata {
  chunkId: string;
  paperId: string;
  seq: number;
  title: string;
  url: string;
  /** YYYY-MM-DD when the paper's date is known. */
  isoDate?: string;
  /** The corpus files that list the paper. */
  sources: string[];
}

/** The filter both stores accept: a paper's date range, a source file, or a list of papers. */
export interface StoreFilter {
  /** Inclusive ISO date bounds (YYYY, YYYY-MM or YYYY-MM-DD); papers without a date are left out when set. */
  from?: string;
  to?: string;
  /** Only papers listed in a source file whose path contains this string. */
  source?: string;
  /** Only these papers. */
  paperIds?: string[];
}

export type ChunkDocument = DocumentInterface<ChunkMetadata>;

/** A chunk of a paper as a `Document` with its id. */
export function chunkDocument(chunk: Pick<Chunk, 'id' | 'paperId' | 'seq' | 'text'>, paper: Pick<Paper, 'title' | 'url' | 'isoDate' | 'sources'>): ChunkDocument {
  return {
    id: chunk.id,
    pageContent: chunk.text,
    metadata: {
      chunkId: chunk.id,
      paperId: chunk.paperId,
      seq: chunk.seq,
      title: paper.title,
      url: paper.url,
      ...(paper.isoDate ? { isoDate: paper.isoDate } : {}),
      sources: [...new Set(paper.sources.map((s) => s.file))],
    },
  };
}

/** Whether a paper passes the filter; the same rule the retriever's `--from/--to/--source` apply. */
export function passesFilter(meta: Pick<ChunkMetadata, 'paperId' | 'isoDate' | 'sources'>, filter: StoreFilter | undefined): boolean {
  if (!filter) return true;
  const { from, to, source, paperIds } = filter;
  if (paperIds && !paperIds.includes(meta.paperId)) return false;
  if (source && !meta.sources.some((file) => file.includes(source))) return false;
  if (from && (meta.isoDate === undefined || meta.isoDate < from)) return false;
  if (to && (meta.isoDate === undefined || meta.isoDate.slice(0, to.length) > to)) return false;
  return true;
}

/** True when the filter restricts anything. */
export function isFiltering(filter: StoreFilter | undefined): filter is StoreFilter {
  return !!filter && (!!filter.from || !!filter.to || !!filter.source || !!filter.paperIds);
}
