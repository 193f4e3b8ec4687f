/**
 * `[n]` markers: finding them, dropping those that point at no source, and renumbering the rest so
 * an answer's citations are exactly the sources it cites, numbered 1..n in order of first use.
 */

/** `[1]`, `[1, 2]`, `[1-3]`, `[1][2]` (each bracket is matched on its own). */
const MARKER = /\[(\d{1,3}(?:\s*(?:,|;|-|–)\s*\d{1,3})*)\]/g;

/** The numbers one marker's inner text names, ranges expanded. */
function markerNumbers(inner: string): number[] {
  const out: number[] = [];
  for (const part of inner.split(/\s*[,;]\s*/)) {
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      // A long "range" is more likely a typo than a citation of twenty sources.
      if (to >= from && to - from < 10) for (let n = from; n <= to; n++) out.push(n);
    } else if (/^\d+$/.test(part)) out.push(Number(part));
  }
  return out;
}

/** Every source number the text cites, in order of first use, without duplicates. */
export function citedNumbers(text: string): number[] {
  const seen = new Set<number>();
  for (const m of text.matchAll(MARKER)) for (const n of markerNumbers(m[1])) seen.add(n);
  return [...seen];
}

export interface Renumbered<S> {
  text: string;
  /** The cited sources, in order of new number (`n` is the new number). */
  cited: { n: number; source: S; oldN: number }[];
  /** Numbers the text cited that name no source; their markers are gone from `text`. */
  removed: number[];
}

/**
 * Rewrites the markers of `text`, whose `[k]` refers to `sources[k - 1]`: markers naming no source
 * are removed, the others renumbered 1..n in order of first use and merged as `[1, 2]`.
 */
export function renumberCitations<S>(text: string, sources: readonly S[]): Renumbered<S> {
  const newNumber = new Map<number, number>();
  const cited: Renumbered<S>['cited'] = [];
  const removed = new Set<number>();
  // Adjacent markers ("[1][2]", "[1] [2]") become one, so renumbering cannot leave "[1][1]".
  const merged = text.replace(/\[(\d[\d,;\s–-]*)\](?:\s*\[(\d[\d,;\s–-]*)\])+/g, (all) => {
    const inner = [...all.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]).join(', ');
    return `[${inner}]`;
  });
  let out = merged.replace(MARKER, (_all, inner: string) => {
    const numbers: number[] = [];
    for (const old of markerNumbers(inner)) {
      if (old < 1 || old > sources.length) {
        removed.add(old);
        continue;
      }
      let n = newNumber.get(old);
      if (n === undefined) {
        n = cited.length + 1;
        newNumber.set(old, n);
        cited.push({ n, source: sources[old - 1], oldN: old });
      }
      if (!numbers.includes(n)) numbers.push(n);
    }
    return numbers.length ? `[${numbers.sort((a, b) => a - b).join(', ')}]` : '\u0000';
  });
  // Where a marker vanished, close the gap it leaves: "claim \0." -> "claim.".
  out = out.replace(/[ \t]*\u0000/g, '').replace(/ +([.,;:!?])/g, '$1');
  return { text: out, cited, removed: [...removed].sort((a, b) => a - b) };
}

/** True when every marker in `text` names a number from 1 to `count`. */
export function markersAreValid(text: string, count: number): boolean {
  for (const m of text.matchAll(MARKER)) for (const n of markerNumbers(m[1])) if (n < 1 || n > count) return false;
  return true;
}
