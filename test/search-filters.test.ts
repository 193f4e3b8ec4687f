import { describe, expect, it } from 'vitest';
import { checkDate, checkDateRange, checkSource } from '../src/cli/search-filters.js';

describe('search filters', () => {
  it('accepts real dates at year, month or day precision', () => {
    for (const d of ['2024', '2024-02', '2024-02-29', '2023-12-31']) expect(checkDate('--from', d)).toBe(d);
  });

  it('names the month that does not exist', () => {
    expect(() => checkDate('--from', '2024-13-45')).toThrow('--from 2024-13-45 is not a valid date: there is no month 13; use YYYY-MM-DD, YYYY-MM or YYYY.');
    expect(() => checkDate('--to', '2024-00')).toThrow('there is no month 0');
  });

  it('names how many days the month has when the day is past its end', () => {
    expect(() => checkDate('--to', '2023-02-29')).toThrow('--to 2023-02-29 is not a valid date: February 2023 has 28 days');
    expect(() => checkDate('--to', '2024-04-31')).toThrow('April 2024 has 30 days');
    expect(() => checkDate('--to', '2024-04-00')).toThrow('April 2024 has 30 days');
  });

  it('says a value in another shape is not a date', () => {
    expect(() => checkDate('--from', 'last week')).toThrow('--from "last week" is not a date: use YYYY-MM-DD, YYYY-MM or YYYY.');
    expect(() => checkDate('--from', '24-05-01')).toThrow('is not a date');
  });

  it('refuses a range that ends before it starts, at the precision both give', () => {
    expect(() => checkDateRange('2025-01-01', '2024-12-31')).toThrow('--from 2025-01-01 is after --to 2024-12-31');
    expect(() => checkDateRange('2024-05', '2024')).not.toThrow();
    expect(() => checkDateRange(undefined, '2024')).not.toThrow();
  });

  it('refuses a source no indexed file path contains, listing the files', () => {
    const files = ['seeds/000_a.txt', 'seeds/001_b.txt'];
    expect(() => checkSource('001_', files)).not.toThrow();
    expect(() => checkSource('nosuchfile.txt', files)).toThrow('No source file matches --source "nosuchfile.txt": the index was built from seeds/000_a.txt, seeds/001_b.txt.');
  });
});
