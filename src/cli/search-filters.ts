/**
 * The checks behind `npm run search`'s `--from`, `--to` and `--source`: a filter that cannot match
 * anything is a mistake to report, not a search that finds "no papers".
 */
import { UserError } from '../errors.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const FORMATS = 'use YYYY-MM-DD, YYYY-MM or YYYY';

/** `value` when it is a real calendar date (YYYY, YYYY-MM or YYYY-MM-DD); a `UserError` naming `option` and what is wrong otherwise. */
export function checkDate(option: string, value: string): string {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (!m) throw new UserError(`${option} "${value}" is not a date: ${FORMATS}.`);
  const [, year, month, day] = m;
  if (month !== undefined && (Number(month) < 1 || Number(month) > 12)) {
    throw new UserError(`${option} ${value} is not a valid date: there is no month ${Number(month)}; ${FORMATS}.`);
  }
  if (month !== undefined && day !== undefined) {
    // Day 0 of the next month is the last day of this one.
    const days = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
    if (Number(day) < 1 || Number(day) > days) {
      throw new UserError(`${option} ${value} is not a valid date: ${MONTHS[Number(month) - 1]} ${year} has ${days} days; ${FORMATS}.`);
    }
  }
  return value;
}

/** Throws when `--from` is after `--to` (compared at the precision both give, so `--from 2024-05 --to 2024` is fine). */
export function checkDateRange(from: string | undefined, to: string | undefined): void {
  if (!from || !to) return;
  const n = Math.min(from.length, to.length);
  if (from.slice(0, n) > to.slice(0, n)) throw new UserError(`--from ${from} is after --to ${to}: no paper can be in that range.`);
}

/** Throws when no indexed source file contains `source` in its path, listing the files there are. */
export function checkSource(source: string, files: readonly string[]): void {
  if (files.some((f) => f.includes(source))) return;
  const shown = files.slice(0, 8).join(', ') + (files.length > 8 ? `, ... (${files.length} in all)` : '');
  throw new UserError(`No source file matches --source "${source}": the index was built from ${files.length ? shown : 'no files'}. Give part of one of those paths.`);
}
