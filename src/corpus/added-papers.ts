/**
 * Papers added from Discord (`/add`), kept in one JSON Lines file inside the corpus folder,
 * `CORPUS_DIR/added.jsonl`. Each line is a record the JSON corpus format reads like any other
 * (`title`, `abstract`, `url`, `authors`, `date`) plus who added it and when, so the additions
 * survive restarts and `npm run index` indexes them with the rest.
 *
 * Every change writes the whole file to a temporary dot-file and renames it over the old one, so
 * a reader (a build, another shard) sees the file before or after a change, never half of one,
 * and a crash leaves one or the other. Changes take a lock (`.added.jsonl.lock`, a dot-file the
 * corpus reader skips) so that two bot processes adding at once cannot lose each other's line.
 *
 * What a user submits is cleaned before it is stored (`checkSubmission`): mentions and Markdown
 * links are taken out, so nothing typed into `/add` can ping anyone or put a link into a later
 * answer, and a title that is nothing but markup is refused.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { UserError } from '../errors.js';
import { cleanText, normalizeTitle, stableId } from './normalize.js';

/** The file's name inside the corpus folder. */
export const ADDED_FILE = 'added.jsonl';

/** Who added a paper: their Discord user id and name at the time. */
export interface AddedBy {
  id: string;
  name: string;
}

/** What a user submits for a paper, before it is checked. */
export interface Submission {
  title: string;
  abstract: string;
  /** The paper's own http(s) link (the `arxiv.org/abs` page for arXiv papers). */
  url?: string;
  /** The arXiv id without version, for papers added from arXiv. */
  arxivId?: string;
  authors?: string[];
  /** YYYY-MM-DD. */
  date?: string;
}

/** One line of `added.jsonl`. */
export interface AddedPaper extends Submission {
  addedBy: AddedBy;
  /** ISO timestamp. */
  addedAt: string;
}

/** Bounds on what `/add` accepts. */
export const SUBMISSION_LIMITS = {
  /** Shorter than this is not an abstract (arXiv's shortest run to a few hundred characters). */
  minAbstractChars: 50,
  /** The most a Discord text input holds; twice arXiv's 1,920-character cap. */
  maxAbstractChars: 4_000,
  maxTitleChars: 300,
  maxUrlChars: 500,
  maxAuthors: 200,
  maxAuthorChars: 200,
} as const;

/** A submission that cannot be added as it is; the message says why, in the user's terms. */
export class SubmissionError extends UserError {
  override readonly name = 'SubmissionError';
}

/** The paper is in the collection already; `existing` names it. */
export class DuplicatePaperError extends UserError {
  override readonly name = 'DuplicatePaperError';
  constructor(
    readonly existing: { title: string; where: string },
    message = `That paper is already in the collection: “${existing.title}” (${existing.where}).`,
  ) {
    super(message);
  }
}

// ------------------------------------------------------------------ cleaning

/** Mentions Discord renders: users, roles, channels, slash commands; and the two mass pings. */
const MENTION = /<(?:@[!&]?|#)\d+>|<\/[^\s<>:]{1,32}(?: [^\s<>:]{1,32}){0,2}:\d+>/g;
const MASS_PING = /@(everyone|here)\b/gi;
/** `[label](target)`, the shape Discord makes clickable; the label may hold escaped brackets. */
const MASKED_LINK = /\[((?:[^\[\]\n]|\\.)*)\]\(\s*<?[^)\n]*>?\s*\)/g;
/** Control characters other than tab and newline, zero-width characters and bidirectional overrides. */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Text as a user typed it, made harmless to store and to quote later: invisible and control
 * characters dropped, mentions removed, `@everyone` and `@here` without their `@`, Markdown links
 * reduced to their label and `<url>` brackets dropped. Plain URLs stay: the answer formatter
 * shows them unlinked.
 */
export function cleanSubmittedText(text: string): string {
  let out = text.normalize('NFC').replace(INVISIBLE, '');
  // Repeated: a link's label may itself hold a link, and removing one may form another.
  for (let i = 0; i < 3; i++) {
    const before = out;
    out = out
      .replace(MASKED_LINK, '$1')
      .replace(MENTION, ' ')
      .replace(MASS_PING, '$1')
      .replace(/<(https?:\/\/[^\s<>]+)>/gi, '$1');
    if (out === before) break;
  }
  return out;
}

/** A title on one line with Markdown markup taken out: emphasis, strike, spoilers, code, headings, quotes. */
function cleanTitle(text: string): string {
  return cleanSubmittedText(text)
    .replace(/\s+/g, ' ')
    .replace(/\*\*|__|~~|\|\||`+/g, '')
    .replace(/(^|\s)[*_](?=\S)|(?<=\S)[*_](?=\s|$)/g, '$1')
    .replace(/^(?:\s*(?:#{1,3}|-#|>+)\s+)+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

/**
 * Cleans a submission and checks it, throwing `SubmissionError` with what to fix: an empty, short
 * or oversized abstract, a title that is only markup or mentions, a link that is not http(s).
 */
export function checkSubmission(input: Submission): Submission {
  const L = SUBMISSION_LIMITS;
  const title = cleanTitle(input.title ?? '');
  // Counted without the mass pings: a title that is only "@everyone" is only a mention.
  if ((cleanTitle((input.title ?? '').replace(MASS_PING, ' ')).match(/[\p{L}\p{N}]/gu) ?? []).length < 2) {
    throw new SubmissionError(
      input.title?.trim() ? 'The title has no words once mentions and formatting are taken out. Give the paper’s own title.' : 'The title is empty. Give the paper’s own title.',
    );
  }
  if (title.length > L.maxTitleChars) throw new SubmissionError(`The title is too long (${title.length} characters; at most ${L.maxTitleChars}).`);
  const abstract = cleanSubmittedText(input.abstract ?? '')
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
  if (!abstract) throw new SubmissionError('The abstract is empty. Paste the paper’s abstract.');
  if (abstract.length > L.maxAbstractChars) {
    throw new SubmissionError(
      `The abstract is too long (${abstract.length.toLocaleString('en-US')} characters; at most ${L.maxAbstractChars.toLocaleString('en-US')}). Paste the abstract only, not the paper.`,
    );
  }
  if (abstract.length < L.minAbstractChars)
    throw new SubmissionError(`The abstract is too short (${abstract.length} characters; at least ${L.minAbstractChars}). Paste the paper’s whole abstract.`);
  let url: string | undefined;
  const rawUrl = input.url?.trim().replace(/^<(.*)>$/, '$1');
  if (rawUrl) {
    if (rawUrl.length > L.maxUrlChars || /\s/.test(rawUrl) || !isHttpUrl(rawUrl)) {
      throw new SubmissionError('The link must be one http(s) address, such as https://doi.org/10.1000/xyz (or leave it empty).');
    }
    url = new URL(rawUrl).href;
  }
  const authors = input.authors
    ?.map((a) => cleanTitle(a).slice(0, L.maxAuthorChars))
    .filter((a) => /[\p{L}]/u.test(a))
    .slice(0, L.maxAuthors);
  const date = input.date && /^\d{4}-\d{2}-\d{2}$/.test(input.date) ? input.date : undefined;
  return {
    title,
    abstract,
    ...(url ? { url } : {}),
    ...(input.arxivId ? { arxivId: input.arxivId } : {}),
    ...(authors?.length ? { authors } : {}),
    ...(date ? { date } : {}),
  };
}

/** The id the index gives a paper with this title (the corpus reader's stable id of its normalised title). */
export function paperIdForTitle(title: string): string {
  return stableId(`title:${normalizeTitle(cleanText(title))}`);
}

// ------------------------------------------------------------------ the file

/** Reads and changes `CORPUS_DIR/added.jsonl`. */
export class AddedPapers {
  readonly file: string;
  private readonly lockFile: string;

  constructor(readonly corpusDir: string) {
    this.file = join(corpusDir, ADDED_FILE);
    this.lockFile = join(corpusDir, `.${ADDED_FILE}.lock`);
  }

  /** The file's records as last read, with the size and time of the file they were read from. */
  private read?: { mtimeMs: number; size: number; records: AddedPaper[] };

  /**
   * The records in the file, in order; lines that are not records are left out (the index build
   * reports them by line). Parsed again only when the file changed: `/remove`'s autocomplete asks
   * on every keystroke.
   */
  list(): AddedPaper[] {
    let text: string;
    let stat: { mtimeMs: number; size: number };
    try {
      stat = statSync(this.file);
      if (this.read && this.read.mtimeMs === stat.mtimeMs && this.read.size === stat.size) return [...this.read.records];
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const out: AddedPaper[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const record = JSON.parse(line) as AddedPaper;
        if (record && typeof record.title === 'string' && typeof record.abstract === 'string') out.push(record);
      } catch {
        // Reported by the corpus reader with its line number.
      }
    }
    this.read = { mtimeMs: stat.mtimeMs, size: stat.size, records: out };
    return [...out];
  }

  /** The record already in the file for the same paper (same title, or same arXiv id). */
  duplicateOf(submission: Pick<Submission, 'title' | 'arxivId'>): AddedPaper | undefined {
    const key = normalizeTitle(cleanText(submission.title));
    return this.list().find((p) => normalizeTitle(cleanText(p.title)) === key || (submission.arxivId && p.arxivId === submission.arxivId));
  }

  /** Appends a checked submission; throws `DuplicatePaperError` when the file holds the same paper already. */
  async add(submission: Submission, addedBy: AddedBy, now = new Date()): Promise<AddedPaper> {
    const record: AddedPaper = { ...submission, addedBy, addedAt: now.toISOString() };
    await this.locked(() => {
      const existing = this.duplicateOf(submission);
      if (existing)
        throw new DuplicatePaperError({ title: existing.title, where: `added by ${existing.addedBy?.name ?? 'someone'} on ${existing.addedAt?.slice(0, 10) ?? 'an earlier day'}` });
      this.write([...this.lines(), JSON.stringify(record)]);
    });
    return record;
  }

  /** Removes the record the index knows under `paperId`; returns it, or undefined when no added paper has that id. */
  async remove(paperId: string): Promise<AddedPaper | undefined> {
    let removed: AddedPaper | undefined;
    await this.locked(() => {
      const kept: string[] = [];
      for (const line of this.lines()) {
        let record: AddedPaper | undefined;
        try {
          record = JSON.parse(line) as AddedPaper;
        } catch {
          // A line that is not a record is kept as it is: it is not ours to drop.
        }
        if (!removed && record && typeof record.title === 'string' && paperIdForTitle(record.title) === paperId) removed = record;
        else kept.push(line);
      }
      if (removed) this.write(kept);
    });
    return removed;
  }

  /** The file's non-empty lines as they are. */
  private lines(): string[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((l) => l.trim());
  }

  /** Replaces the file with `lines`; with none, removes it (the corpus reader reports an empty file as a problem). */
  private write(lines: string[]): void {
    // A rewrite within the same millisecond and of the same size must not be served from the last read.
    this.read = undefined;
    mkdirSync(this.corpusDir, { recursive: true });
    if (!lines.length) {
      if (existsSync(this.file)) unlinkSync(this.file);
      return;
    }
    const tmp = join(this.corpusDir, `.${ADDED_FILE}.${process.pid}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `${lines.join('\n')}\n`);
      // On disk before the rename, so a power cut cannot leave the new name on empty contents.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }

  private async locked<T>(work: () => T): Promise<T> {
    mkdirSync(this.corpusDir, { recursive: true });
    const release = await lockfile.lock(this.file, {
      lockfilePath: this.lockFile,
      realpath: false,
      // A holder that died leaves a lock nobody refreshes: taken over after 10 s.
      stale: 10_000,
      retries: { retries: 100, minTimeout: 20, maxTimeout: 200 },
    });
    try {
      return work();
    } finally {
      await release();
    }
  }
}
