/**
 * What `/add` and `/remove` do behind the messages: who may change the collection, turning an
 * arXiv id or a filled-in form into a checked submission, refusing a paper that is already in,
 * holding a preview until it is confirmed, and then changing `added.jsonl`, rebuilding the index
 * and waiting until the running bot answers from the new generation.
 *
 * Bad input changes nothing: every check runs before the file is touched, and a failed build
 * takes the new line out again.
 */
import { randomBytes } from 'node:crypto';
import { PermissionFlagsBits, type Interaction } from 'discord.js';
import type { Logger } from 'pino';
import type { Env } from '../config/env.js';
import { AddedPapers, DuplicatePaperError, checkSubmission, paperIdForTitle, type AddedBy, type AddedPaper, type Submission } from '../corpus/added-papers.js';
import type { Paper } from '../corpus/paper.js';
import type { Topic } from '../browse/types.js';
import { UserError } from '../errors.js';
import { linkKey } from '../corpus/merge-entries.js';
import { ArxivClient, ArxivNotFoundError, ArxivUnavailableError, InvalidArxivIdError, formatArxivId, parseArxivSource, type ArxivId } from '../indexing/arxiv-client.js';
import { IndexBuilder, type BuildSummary } from '../indexing/index-builder.js';
import { titleSimilarity } from '../indexing/resolve-links.js';
import { arxivLinkCache, type Litbot } from '../litbot.js';

/** A preview waiting for Confirm or Cancel. */
export interface PendingAddition {
  submission: Submission;
  userId: string;
  expiresAt: number;
}

/** What a confirmed addition led to. */
export interface AdditionResult {
  record: AddedPaper;
  /** The paper as the new index serves it. */
  paper: Paper;
  topic?: Topic;
  /** From the confirmation to the paper being answerable. */
  seconds: number;
  build: BuildSummary;
}

export interface CollectionEditorOptions {
  env: Env;
  litbot: Litbot;
  logger: Logger;
  /** Defaults to one talking to `ARXIV_API_URL` with the `--resolve-links` cache. */
  arxiv?: ArxivClient;
  /** Defaults to a child-process builder for this configuration. */
  builder?: IndexBuilder;
}

/** Previews expire with the interaction token that could still edit them. */
const PREVIEW_TTL_MS = 15 * 60_000;

/** A failure after the user confirmed, with what they are told. */
export class CollectionUpdateError extends UserError {
  override readonly name = 'CollectionUpdateError';
}

export class CollectionEditor {
  readonly added: AddedPapers;
  readonly arxiv: ArxivClient;
  readonly builder: IndexBuilder;
  /** What the last build for an addition or removal reported (for the log and the bench). */
  lastBuild: BuildSummary | undefined;
  private readonly pending = new Map<string, PendingAddition>();
  /** One change of the collection at a time in this process: its build must see its own line. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: CollectionEditorOptions) {
    const { env, logger } = options;
    this.added = new AddedPapers(env.CORPUS_DIR);
    this.arxiv = options.arxiv ?? new ArxivClient({ apiUrl: env.ARXIV_API_URL, timeoutMs: env.ARXIV_TIMEOUT_MS, cacheFile: arxivLinkCache(env) });
    this.builder = options.builder ?? new IndexBuilder(env, { log: (line) => logger.info({ build: 'collection' }, line) });
  }

  private get litbot(): Litbot {
    return this.options.litbot;
  }

  // ---------------------------------------------------------------- who may

  /** True when the member who sent `interaction` may add and remove papers. */
  mayEdit(interaction: Interaction): boolean {
    if (!interaction.inGuild()) return false;
    if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
    const role = this.options.env.LIBRARIAN_ROLE_ID;
    if (!role) return false;
    const roles = interaction.member.roles;
    return Array.isArray(roles) ? roles.includes(role) : roles.cache.has(role);
  }

  /** Throws a `UserError` that says who may change the collection, unless this member may. */
  requireEditor(interaction: Interaction): void {
    if (this.mayEdit(interaction)) return;
    if (!interaction.inGuild()) throw new UserError('Papers can be added and removed only in a server, by its librarians, not in direct messages.');
    const role = this.options.env.LIBRARIAN_ROLE_ID;
    const roleName = role ? interaction.guild?.roles.cache.get(role)?.name : undefined;
    const who = role
      ? `members with the Manage Server permission or the ${roleName ? `“${roleName.replace(/[@<>`*_~|\\[\]]/g, '')}”` : 'librarian'} role`
      : 'members with the Manage Server permission';
    throw new UserError(`Only ${who} can add or remove papers. Ask one of them to add the paper for you.`);
  }

  // ---------------------------------------------------------------- submissions

  /** Reads an arXiv id or link; throws a `UserError` saying what a valid one looks like. */
  parseSource(source: string): ArxivId {
    try {
      return parseArxivSource(source);
    } catch (error) {
      if (!(error instanceof InvalidArxivIdError)) throw error;
      throw new UserError(
        `${error.message} Give an arXiv id such as 2405.01234 (or 2405.01234v2, cs/0101001) or a link such as https://arxiv.org/abs/2405.01234. For a paper that is not on arXiv, run /add without a source to fill in a form.`,
      );
    }
  }

  /** The paper arXiv has under `id`, as a checked submission; every failure is a `UserError` with the way forward. */
  async fromArxiv(id: ArxivId): Promise<Submission> {
    const shown = formatArxivId(id);
    let paper;
    try {
      paper = await this.arxiv.fetchPaper(id);
    } catch (error) {
      if (error instanceof ArxivNotFoundError)
        throw new UserError(`arXiv has no paper ${shown}. Check the id (it looks like 2405.01234), or run /add without a source to fill in a form.`);
      if (error instanceof ArxivUnavailableError) {
        this.options.logger.warn({ arxivId: shown, err: error }, 'arXiv lookup for /add failed');
        throw new UserError(
          `${error.timedOut ? 'arXiv is slow to answer right now' : 'arXiv cannot be reached right now'}, so ${shown} could not be looked up. Try again later, or run /add without a source and fill in the title, abstract and link yourself.`,
        );
      }
      throw error;
    }
    try {
      return checkSubmission({ title: paper.title, abstract: paper.abstract, url: paper.url, arxivId: paper.id, authors: paper.authors, date: paper.date });
    } catch (error) {
      if (error instanceof UserError) throw new UserError(`arXiv's record for ${shown} cannot be added as it is: ${error.message}`);
      throw error;
    }
  }

  /** A form submission, checked; a link to an arXiv page also records the arXiv id, for the duplicate check. */
  fromForm(fields: { title: string; abstract: string; link?: string }): Submission {
    const submission = checkSubmission({ title: fields.title, abstract: fields.abstract, url: fields.link });
    if (submission.url) {
      try {
        const id = parseArxivSource(submission.url);
        return { ...submission, arxivId: id.id };
      } catch {
        // Not an arXiv link: nothing more to record.
      }
    }
    return submission;
  }

  /** Throws `DuplicatePaperError` naming the paper when the collection has it already (same or nearly the same title, or same arXiv id). */
  checkNew(submission: Submission): void {
    const added = this.added.duplicateOf(submission);
    if (added)
      throw new DuplicatePaperError({ title: added.title, where: `added with /add by ${added.addedBy?.name ?? 'someone'} on ${added.addedAt?.slice(0, 10) ?? 'an earlier day'}` });
    const exact = this.litbot.paperById(paperIdForTitle(submission.title));
    const near =
      exact ??
      this.litbot
        .lookup(submission.title, 3)
        .map((m) => this.litbot.paperById(m.paperId))
        .find((p): p is Paper => !!p && titleSimilarity(p.title, submission.title) >= 0.9);
    const byId = near ?? (submission.arxivId ? this.paperWithArxivId(submission.arxivId) : undefined);
    if (byId) throw new DuplicatePaperError({ title: byId.title, where: describeSource(byId) });
  }

  private paperWithArxivId(arxivId: string): Paper | undefined {
    // The corpus merge's own key for a link: any arXiv URL form (abs, pdf, html, a version) of the same id.
    const key = linkKey(`https://arxiv.org/abs/${arxivId}`);
    for (const topic of this.litbot.topics()) {
      for (const { paperId } of topic.papers) {
        const paper = this.litbot.paperById(paperId);
        if (paper && linkKey(paper.url) === key) return paper;
      }
    }
    return undefined;
  }

  // ---------------------------------------------------------------- previews

  /** Holds a checked submission until its preview's Confirm or Cancel; returns the token its buttons carry. */
  stage(submission: Submission, userId: string): string {
    const now = Date.now();
    for (const [token, p] of this.pending) if (p.expiresAt < now) this.pending.delete(token);
    const token = randomBytes(6).toString('hex');
    this.pending.set(token, { submission, userId, expiresAt: now + PREVIEW_TTL_MS });
    return token;
  }

  /** Takes the preview `token` names; only the user who asked for it may. */
  take(token: string, userId: string): PendingAddition {
    const pending = this.pending.get(token);
    if (!pending || pending.expiresAt < Date.now()) {
      this.pending.delete(token);
      throw new UserError('This preview has expired (or the bot restarted since); run /add again.');
    }
    if (pending.userId !== userId) throw new UserError('Only the person who ran /add can confirm or cancel it.');
    this.pending.delete(token);
    return pending;
  }

  // ---------------------------------------------------------------- changes

  /**
   * Adds a submission to `added.jsonl`, rebuilds the index and resolves once the running bot
   * answers from a generation that has the paper. A duplicate found at this point changes nothing;
   * a failed build takes the line out again.
   */
  add(submission: Submission, by: AddedBy): Promise<AdditionResult> {
    return this.serially(async () => {
      const started = performance.now();
      this.checkNew(submission);
      const record = await this.added.add(submission, by);
      const paperId = paperIdForTitle(record.title);
      let build: BuildSummary;
      try {
        build = await this.builder.build();
      } catch (error) {
        await this.added.remove(paperId);
        this.options.logger.error({ err: error, title: record.title }, 'index build after /add failed; the addition was taken back');
        throw new CollectionUpdateError(
          'The index could not be rebuilt, so the paper was not added (nothing changed). The operator can see why in the bot’s log; please try again later.',
        );
      }
      this.logSkipped(build);
      const paper = await this.whenServed(() => this.litbot.paperById(paperId) ?? this.servedUnderOtherId(record.title));
      if (!paper) {
        this.options.logger.error({ title: record.title, generation: build.generation }, 'the index built after /add is not being served');
        throw new CollectionUpdateError(
          'The paper was saved and the index rebuilt, but the bot could not load the new index yet; the operator has been told. It becomes answerable once the index loads.',
        );
      }
      return { record, paper, topic: this.litbot.topicOf(paper.id), seconds: (performance.now() - started) / 1000, build };
    });
  }

  /** Removes an added paper, rebuilds and resolves once the running bot no longer serves it (or says why it still does). */
  remove(paperId: string): Promise<{ removed: AddedPaper; stillListed?: Paper }> {
    return this.serially(async () => {
      const removed = await this.added.remove(paperId);
      if (!removed) throw new UserError('That paper is not among the papers added with /add (it may have been removed already).');
      let build: BuildSummary;
      try {
        build = await this.builder.build();
      } catch (error) {
        // Put it back: the user was told nothing changed.
        const { addedBy, addedAt, ...submission } = removed;
        await this.added.add(submission, addedBy, new Date(addedAt));
        this.options.logger.error({ err: error, title: removed.title }, 'index build after /remove failed; the paper was put back');
        throw new CollectionUpdateError(
          'The index could not be rebuilt, so the paper was not removed (nothing changed). The operator can see why in the bot’s log; please try again later.',
        );
      }
      this.logSkipped(build);
      const gone = await this.whenServed(() => (this.litbot.paperById(paperId) ? undefined : true));
      if (gone) return { removed };
      const still = this.litbot.paperById(paperId);
      // Another corpus file lists the same paper: the new index keeps it from there.
      if (still && this.serving(build)) return { removed, stillListed: still };
      this.options.logger.error({ title: removed.title, generation: build.generation }, 'the index built after /remove is not being served');
      throw new CollectionUpdateError(
        'The paper was taken out of the collection file and the index rebuilt, but the bot could not load the new index yet; the operator has been told.',
      );
    });
  }

  /** True when the bot serves the generation `build` wrote (a build with nothing to do wrote none). */
  private serving(build: BuildSummary): boolean {
    return !!build.generation && this.litbot.about().generation === build.generation;
  }

  /**
   * `served()` once the bot has checked the index folder: `refresh()` resolves after the generation
   * the build wrote is loaded (or has failed to load), so there is nothing to wait for after it.
   */
  private async whenServed<T>(served: () => T | undefined): Promise<T | undefined> {
    await this.litbot.refresh?.();
    return served();
  }

  /** The paper under another id than its title's: merged at the build with an untitled listing of the same abstract. */
  private servedUnderOtherId(title: string): Paper | undefined {
    const [best] = this.litbot.lookup(title, 1);
    const paper = best && this.litbot.paperById(best.paperId);
    return paper && titleSimilarity(paper.title, title) >= 0.9 ? paper : undefined;
  }

  private logSkipped(build: BuildSummary): void {
    this.lastBuild = build;
    if (build.skipped.length)
      this.options.logger.warn(
        { skipped: build.skipped.slice(0, 20), count: build.skipped.length },
        'the index build left out invalid corpus blocks (fix them and run npm run index)',
      );
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.builder.close();
  }
}

/** Where a paper in the index comes from, for "already in the collection" replies. */
function describeSource(paper: Paper): string {
  const file = paper.sources[0]?.file;
  if (!file) return 'in the collection';
  return `from ${file.replace(/^.*[\\/]/, '')}${file.endsWith('added.jsonl') ? ', added with /add' : ''}`;
}
