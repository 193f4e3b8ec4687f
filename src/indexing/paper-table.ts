/**
 * The papers of an index, one JSON object a line (`papers.jsonl`), parsed one paper at a time on
 * demand: a search shows ten papers and parses ten lines, not twenty thousand. Iterating, or
 * `all()`, parses the rest once.
 */
import type { Paper } from '../corpus/paper.js';

export class PaperTable implements ReadonlyMap<string, Paper> {
  private readonly position: Map<string, number>;
  private readonly starts: Uint32Array;
  private readonly parsed: (Paper | undefined)[];
  private complete?: Paper[];

  /** `ids` in file order (from the titles file); `onBadLine` turns a parse failure into the caller's error. */
  constructor(
    private readonly data: Buffer,
    readonly ids: string[],
    private readonly onBadLine: (line: number, reason: string) => Error,
  ) {
    this.position = new Map(ids.map((id, i) => [id, i]));
    this.starts = new Uint32Array(ids.length + 1);
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      this.starts[i] = at;
      const end = data.indexOf(10, at);
      if (end < 0) throw onBadLine(i + 1, `the file ends after ${i} of ${ids.length} papers`);
      at = end + 1;
    }
    this.starts[ids.length] = at;
    if (at !== data.length) throw onBadLine(ids.length + 1, `more lines than the ${ids.length} papers the index lists`);
    this.parsed = new Array(ids.length);
  }

  at(i: number): Paper {
    let paper = this.parsed[i];
    if (!paper) {
      try {
        paper = JSON.parse(this.data.toString('utf8', this.starts[i], this.starts[i + 1] - 1)) as Paper;
      } catch (error) {
        throw this.onBadLine(i + 1, `not valid JSON: ${(error as Error).message}`);
      }
      if (paper.id !== this.ids[i]) throw this.onBadLine(i + 1, `paper ${paper.id} where the index lists ${this.ids[i]}`);
      this.parsed[i] = paper;
    }
    return paper;
  }

  /** Every paper, in index order. */
  all(): Paper[] {
    this.complete ??= this.ids.map((_, i) => this.at(i));
    return this.complete;
  }

  get(id: string): Paper | undefined {
    const i = this.position.get(id);
    return i === undefined ? undefined : this.at(i);
  }

  has(id: string): boolean {
    return this.position.has(id);
  }

  get size(): number {
    return this.ids.length;
  }

  forEach(callback: (value: Paper, key: string, map: ReadonlyMap<string, Paper>) => void): void {
    for (const [id, paper] of this) callback(paper, id, this);
  }

  *entries(): MapIterator<[string, Paper]> {
    for (let i = 0; i < this.ids.length; i++) yield [this.ids[i], this.at(i)];
  }

  keys(): MapIterator<string> {
    return this.ids[Symbol.iterator]();
  }

  *values(): MapIterator<Paper> {
    for (let i = 0; i < this.ids.length; i++) yield this.at(i);
  }

  [Symbol.iterator](): MapIterator<[string, Paper]> {
    return this.entries();
  }
}
