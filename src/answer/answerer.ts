/**
 * The answer pipeline: retrieve, decide whether the papers cover the question, compose (with an
 * LLM, or extractively offline), check the citations, and return one `AnswerResult`.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Logger } from 'pino';
import { splitSentences } from '../corpus/normalize.js';
import type { Paper } from '../corpus/paper.js';
import { resolveLlmApiKey, type Env } from '../config/env.js';
import { redact } from '../config/redact.js';
import { BusyError, UserError, errorMessage } from '../errors.js';
import type { PaperHit, SearchOptions, SearchResponse } from '../retrieval/types.js';
import { LlmError, createChatModel, generate, modelName } from './chat-models.js';
import { renumberCitations } from './citations.js';
import type { Topic } from '../browse/types.js';
import { collectionStats, type CollectionStats, type Vocabulary } from '../retrieval/collection-stats.js';
import { decide, type DecisionModel } from './decide.js';
import { declineText } from './decline-text.js';
import { composeExtractive, composeList, looksLikeInstruction, type AnswerWeights } from './extractive.js';
import { lastAnsweredTurn, readFollowUp, type FollowUpMode, type KnownTerms } from './follow-up.js';
import { cleanModelText } from './llm-text.js';
import { sharedLlmLimiter, type Limiter } from './limiter.js';
import { assessVagueness, composeOverview, overviewPapers, subjectOf } from './overview.js';
import { NOT_COVERED, buildAnswerMessages, buildCondenseMessages } from './prompt.js';
import { asksForFigure, asksForList } from './question-shape.js';
import { smalltalkIntent, smalltalkReply, withoutSmalltalk } from './smalltalk.js';
import { buildPostings, type TermPostings } from './term-postings.js';
import { contentTerms, words } from './terms.js';
import type { AnswerOptions, AnswerResult, Citation, Evidence, Turn } from './types.js';

export interface AnswererDeps {
  env: Env;
  retrieve: (query: string, options?: SearchOptions) => Promise<SearchResponse>;
  /** Nearest topics to a question, offered when the papers do not cover it. */
  suggestTopics?: (query: string) => { title: string; url?: string }[];
  /** Without `suggestTopics`, the topics of the closest papers are offered, found with this. */
  topicOf?: (paperId: string) => { label: string } | undefined;
  /** The whole collection: question words are weighed by their rarity in it, and names it never mentions are noticed. */
  corpus?: Paper[];
  /** The collection's vocabulary as the index keeps it (`buildVocabulary` at build time); without it, it is built from `corpus` at the first question. */
  vocabulary?: () => Vocabulary;
  /** Lets a follow-up keep the previous turn's papers in view even when retrieval drops them. */
  paperById?: (paperId: string) => Paper | undefined;
  /** The collection's topics: small-talk replies draw example questions from them, overviews name them. */
  topics?: () => Topic[];
  /** How the offline answer weighs findings, methods, set-up and figures (default `ANSWER_WEIGHTS`; the fitting script tries others). */
  answerWeights?: AnswerWeights;
  /** Replaces the model `LLM_PROVIDER` would create (tests inject one). */
  chatModel?: BaseChatModel;
  limiter?: Limiter;
  /** Replaces the fitted answer/decline model (`decision-weights.json`). */
  decisionModel?: DecisionModel;
  /** First retry delay in ms (default 500; tests shorten it). */
  retryBaseMs?: number;
  log?: Logger;
}

export interface Answerer {
  backend: string;
  model?: string;
  answer(question: string, options?: AnswerOptions): Promise<AnswerResult>;
}

/** Papers given to the composer; a list may name more. */
const SOURCES = 5;
const LIST_SOURCES = 8;
const MAX_QUESTION_CHARS = 1000;

/** The only thing users learn about a failed LLM call; what the server said goes to the log. */
export const MODEL_UNAVAILABLE_NOTE = 'The language model was unavailable, so this is the offline (extractive) answer.';
export const CUT_OFF_NOTE = "The language model's answer reached its length limit, so it is cut off (…).";
export const NO_CITATIONS_NOTE = "The language model's answer cited none of the papers, so this is the offline (extractive) answer.";

/** Drops sentences that address the model instead of describing research. */
function sanitize(text: string): string {
  const sentences = splitSentences(text);
  return sentences.some(looksLikeInstruction) ? sentences.filter((s) => !looksLikeInstruction(s)).join(' ') : text;
}

function toEvidence(hits: PaperHit[]): Evidence[] {
  return hits.map((hit, i) => ({
    n: i + 1,
    paperId: hit.paperId,
    title: hit.paper.title,
    url: hit.paper.url,
    score: hit.score,
    passages: hit.passages,
  }));
}

/** A pattern for `word` standing alone (not inside a longer word), its characters taken literally. */
function wholeWord(word: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'u');
}

function syntheticHit(paper: Paper): PaperHit {
  return { paperId: paper.id, paper, score: 0, passages: [] };
}

/**
 * Creates the answerer for `env.LLM_PROVIDER`. Throws `MissingApiKeyError` now, not at the first
 * question, when the provider needs a key that is not set.
 */
export function createAnswerer(deps: AnswererDeps): Answerer {
  const { env, log } = deps;
  if (env.LLM_PROVIDER !== 'extractive') resolveLlmApiKey(env);
  // The provider's client loads now, in the background, and is awaited by the first call that needs it.
  const chatModel: Promise<BaseChatModel> | undefined =
    env.LLM_PROVIDER === 'extractive' ? undefined : deps.chatModel ? Promise.resolve(deps.chatModel) : createChatModel(env).then((m) => m!);
  chatModel?.catch(() => {}); // a failed load is reported where it is awaited
  const limiter = deps.limiter ?? sharedLlmLimiter(env);
  const backend = env.LLM_PROVIDER;
  const model = modelName(env);
  // Counting the words of every abstract takes seconds at 20,000 papers: done once, at the first question, or kept in the index.
  // `collectionStats` keeps one object per list of papers: the same one the retriever holds when both are given the index's list.
  const collectionTerms = (): { stats?: CollectionStats; idf?: (term: string) => number } => {
    const stats = deps.corpus ? collectionStats(deps.corpus, deps.vocabulary) : undefined;
    return { stats, idf: stats && ((t) => stats.idf(t)) };
  };
  // Which papers hold each word, and how many titles: only a broad question or a follow-up needs them, so built on first need.
  let postingsMemo: TermPostings | undefined;
  const postings = () => (postingsMemo ??= deps.corpus ? buildPostings(deps.corpus) : undefined);
  const known: KnownTerms = {
    get papers() {
      return deps.corpus?.length ?? 0;
    },
    papersWith: (t) => collectionTerms().stats?.df.get(t) ?? 0,
    titlesWith: (t) => postings()?.titles.get(t) ?? 0,
    termsOf: (id) => (deps.paperById?.(id) ? collectionTerms().stats?.termsOf(id) : undefined),
  };
  /** A hit with no passages for a paper retrieval did not return (a previous turn's, an overview's). */
  const knownPaperHit = (id: string): PaperHit | undefined => {
    const paper = deps.paperById?.(id);
    return paper && syntheticHit(paper);
  };
  const facts = () => ({ papers: deps.corpus?.length ?? 0, topics: deps.topics?.() ?? [], titleOf: (id: string) => deps.paperById?.(id)?.title });

  const callModel = (messages: Parameters<typeof generate>[1], options: { signal?: AbortSignal; onToken?: (t: string) => void; stream: boolean }) =>
    limiter.run(
      async () =>
        generate(await chatModel!, messages, {
          timeoutMs: env.LLM_TIMEOUT_MS,
          maxRetries: env.LLM_MAX_RETRIES,
          retryBaseMs: deps.retryBaseMs,
          signal: options.signal,
          onToken: options.onToken,
          stream: options.stream,
          log,
          backend,
          model,
          scrub: (text) => redact(text, env),
        }),
      options.signal,
    );

  /** The question retrieval sees, and papers of the previous turn to keep in view (see `readFollowUp`). */
  async function standalone(
    question: string,
    history: Turn[],
    signal?: AbortSignal,
  ): Promise<{ query: string; mode: FollowUpMode; context?: string; keep: string[]; condensed?: string; previousAnswer?: string; ms: number }> {
    const t0 = performance.now();
    const previous = lastAnsweredTurn(history);
    if (!previous) return { query: question, mode: 'standalone', keep: [], ms: 0 };
    if (chatModel) {
      try {
        const g = await callModel(buildCondenseMessages(question, history), { signal, stream: false });
        const condensed = g.text
          .trim()
          .split('\n')[0]
          .replace(/^["']|["']$/g, '')
          .trim();
        if (condensed && condensed.length <= MAX_QUESTION_CHARS) return { query: condensed, mode: 'standalone', keep: [], condensed, ms: performance.now() - t0 };
      } catch (error) {
        if (signal?.aborted) throw error;
        log?.warn({ err: errorMessage(error) }, 'could not condense the follow-up; using the heuristic');
      }
    }
    // Read only when the model did not condense it: reading it may count the collection's title words.
    const reading = readFollowUp(question, history, known);
    const ms = performance.now() - t0;
    if (reading.mode === 'standalone') return { query: question, mode: 'standalone', keep: [], ms };
    // A new name or subject: retrieval moves to it; the earlier question only steers which sentences are quoted.
    if (reading.mode === 'moves') return { query: reading.subject ?? question, mode: 'moves', context: previous.question, keep: [], ms };
    // The turn it leans on: the previous one, or an earlier one it returns to ("back to the first one").
    const leansOn = reading.previous ?? previous;
    return {
      query: `${question} ${leansOn.question}`,
      mode: reading.mode,
      context: leansOn.question,
      keep: leansOn.answer.citations.map((c) => c.paperId),
      previousAnswer: leansOn.answer.answer,
      ms,
    };
  }

  async function answer(rawQuestion: string, options: AnswerOptions = {}): Promise<AnswerResult> {
    const started = performance.now();
    const said = rawQuestion.replace(/\s+/g, ' ').trim();
    if (!said) throw new UserError('Ask a question, for example: "How do LLMs forget during continual fine-tuning?"');
    if (said.length > MAX_QUESTION_CHARS) throw new UserError(`That question is ${said.length} characters long; please keep it under ${MAX_QUESTION_CHARS}.`);
    // Small talk is answered before retrieval: there is nothing to look up, and nothing to cite.
    const intent = smalltalkIntent(said);
    if (intent) {
      const totalMs = Math.round(performance.now() - started);
      return {
        question: said,
        kind: 'smalltalk',
        answer: smalltalkReply(intent, facts()),
        refused: false,
        citations: [],
        evidence: [],
        backend,
        model,
        timings: { retrieveMs: 0, composeMs: totalMs, totalMs },
      };
    }
    const question = withoutSmalltalk(said);

    const follow = await standalone(question, options.history ?? [], options.signal);
    const t1 = performance.now();
    const response = await deps.retrieve(follow.query, { k: SOURCES + 3, passages: 3 });
    const retrieveMs = performance.now() - t1;

    let hits = response.hits;
    if (follow.keep.length) {
      // The previous turn's papers lead, as "its" and "they" refer to them; among them, the retriever's order for the new question.
      const rank = (id: string) => {
        const i = hits.findIndex((h) => h.paperId === id);
        return i < 0 ? hits.length : i;
      };
      const kept = [...follow.keep]
        .sort((a, b) => rank(a) - rank(b))
        .map((id) => hits.find((h) => h.paperId === id) ?? knownPaperHit(id))
        .filter((h): h is PaperHit => !!h);
      hits = [...kept, ...hits.filter((h) => !follow.keep.includes(h.paperId))];
    }
    const { stats } = collectionTerms();
    const decision = decide(response.query, response, { stats, model: deps.decisionModel });
    const covered = decision.answer || (follow.keep.length > 0 && hits.length > 0 && (decision.features.termOverlap ?? 0) >= 0.5);
    // The words read differently ("droput" as "dropout"), applied to the question as asked.
    const corrections = response.corrections ?? [];
    const readAs = corrections.reduce((text, c) => text.replace(wholeWord(c.from), () => c.to), question);
    const searchedFor = corrections.length && stats ? searchedWords(response.query, stats) : undefined;
    // The reply's shape: an overview for a broad subject many papers share, a list for "which papers ...", else an answer.
    const broad = (follow.mode === 'standalone' || follow.mode === 'moves') && subjectOf(readAs) !== undefined ? postings() : undefined;
    const vague = broad && assessVagueness(readAs, broad);
    const overview = vague?.vague ? vague : undefined;
    const list = !overview && asksForList(readAs);
    let sources: PaperHit[];
    if (overview) {
      const byId = (id: string) => hits.find((h) => h.paperId === id) ?? knownPaperHit(id);
      sources = overviewPapers(
        hits.map((h) => h.paperId),
        overview.matching,
      )
        .map(byId)
        .filter((h): h is PaperHit => !!h);
    } else if (follow.mode === 'results') {
      // "its results": the paper the previous answer led with; "their results": all it cited.
      const kept = hits.filter((h) => follow.keep.includes(h.paperId));
      sources = /\b(?:they|them|their|theirs|these|those|both)\b/i.test(question) ? kept : kept.slice(0, 1);
    } else sources = hits.slice(0, list ? LIST_SOURCES : SOURCES);
    const evidence = toEvidence(sources);

    const base = {
      question: said,
      evidence,
      backend,
      model,
      ...(follow.condensed ? { standaloneQuestion: follow.condensed } : {}),
      ...(corrections.length ? { corrections, ...(searchedFor ? { searchedFor } : {}) } : {}),
    };
    const finish = (partial: Pick<AnswerResult, 'kind' | 'answer' | 'refused' | 'citations'> & Partial<AnswerResult>, composeStarted: number): AnswerResult => ({
      ...base,
      ...partial,
      timings: {
        retrieveMs: Math.round(retrieveMs),
        composeMs: Math.round(performance.now() - composeStarted),
        totalMs: Math.round(performance.now() - started),
        ...(follow.ms ? { condenseMs: Math.round(follow.ms) } : {}),
      },
    });

    const decline = (composeStarted: number, reason: string | undefined, extra: Partial<AnswerResult> = {}): AnswerResult => {
      // The nearest topics and papers only when the question is near the collection: a cooking question gets none.
      const near = decision.near || decision.answer;
      const topics = near
        ? (
            deps.suggestTopics?.(follow.query) ??
            [
              ...new Set(
                response.hits
                  .slice(0, 5)
                  .map((h) => deps.topicOf?.(h.paperId)?.label)
                  .filter((l): l is string => !!l),
              ),
            ].map((title) => ({ title }))
          ).slice(0, 3)
        : [];
      const papers = near ? response.hits.slice(0, 3).map((h) => ({ title: h.paper.title, url: h.paper.url })) : [];
      const suggestions = [...topics, ...papers];
      const why = decision.answer ? undefined : decision.why;
      const lines = [
        'The papers in this collection do not seem to cover that, so I would rather not guess.',
        declineText(why, response.hits, (id) => deps.topicOf?.(id)?.label),
      ].filter(Boolean);
      if (suggestions.length) lines.push(topics.length ? 'The nearest topics and papers:' : 'The closest papers:');
      else lines.push('`/topics` shows what the collection covers.');
      return finish({ kind: 'declined', answer: lines.join(' '), refused: true, citations: [], suggestions, declineReason: reason, ...extra }, composeStarted);
    };

    const extractiveSources = sources.map((hit, i) => ({
      n: i + 1,
      paperId: hit.paperId,
      title: hit.paper.title,
      abstract: hit.paper.abstract,
      passages: hit.passages.map((p) => ({ text: p.text, score: p.score })),
    }));
    const extractive = (): { kind: AnswerResult['kind']; text: string } => {
      const options = {
        context: follow.context,
        alreadySaid: follow.previousAnswer,
        idf: collectionTerms().idf,
        focus: { results: follow.mode === 'results' },
        weights: deps.answerWeights,
      };
      if (list) {
        const listed = composeList(readAs, extractiveSources, options);
        if (listed.text) return { kind: 'list', text: listed.text };
      }
      return { kind: 'answer', text: composeExtractive(readAs, extractiveSources, options).text };
    };

    const cite = (text: string): { answer: string; citations: Citation[] } => {
      const r = renumberCitations(text, evidence);
      if (r.removed.length) log?.info({ removed: r.removed }, 'removed citations to sources that do not exist');
      return {
        answer: r.text,
        citations: r.cited.map(({ n, source }) => ({ n, paperId: source.paperId, title: source.title, url: source.url })),
      };
    };

    /** The model's text through the same checks as its streamed snapshots (`cleanModelText`). */
    const citeModelText = (text: string, cutOff: boolean): { answer: string; citations: Citation[] } => {
      const r = cleanModelText(text, evidence);
      if (r.removed.length) log?.debug({ removed: r.removed }, 'removed citations to sources that do not exist');
      return {
        answer: cutOff && r.text ? `${r.text} …` : r.text,
        citations: r.cited.map(({ n, source }) => ({ n, paperId: source.paperId, title: source.title, url: source.url })),
      };
    };

    const composeStarted = performance.now();
    // A broad subject many papers share is covered by definition; its overview is composed offline for every backend.
    if (overview) {
      const text = composeOverview(overview.subject!, overview.matching, deps.topics?.() ?? [], extractiveSources, { idf: collectionTerms().idf });
      if (text) return finish({ kind: 'overview', ...cite(text), refused: false }, composeStarted);
    }
    if (!covered && !(follow.mode === 'results' && sources.length)) return decline(composeStarted, decision.reason);

    const offline = (note?: string, usage?: AnswerResult['usage']): AnswerResult => {
      const { kind, text } = extractive();
      if (!text) return decline(composeStarted, 'no sentence of the top papers bears on the question', note ? { note } : {});
      return finish({ kind, ...cite(text), refused: false, ...(note ? { note } : {}), ...(usage ? { usage } : {}) }, composeStarted);
    };

    if (!chatModel) return offline();

    const promptSources = sources.map((hit, i) => ({
      n: i + 1,
      title: hit.paper.title,
      passages: (hit.passages.length ? hit.passages.map((p) => p.text) : [hit.paper.abstract]).map(sanitize).filter(Boolean),
    }));
    let generation;
    try {
      // Without a condensed question, the earlier one travels along so "it" can be resolved.
      const asked = follow.condensed ?? (follow.context ? `${question} (This follows the earlier question: ${follow.context})` : question);
      const onToken = options.onToken;
      generation = await callModel(buildAnswerMessages(asked, promptSources, { list, figure: asksForFigure(question), results: follow.mode === 'results' }), {
        signal: options.signal,
        // Each snapshot passes the same checks as the final text, so no edit shows what it would remove.
        onToken: onToken && ((text) => onToken(cleanModelText(text, evidence, { partial: true }).text)),
        stream: true,
      });
    } catch (error) {
      // A full queue is the bot's to report ("busy, try again"), not a model failure.
      if (options.signal?.aborted || error instanceof BusyError) throw error;
      const failure =
        error instanceof LlmError
          ? { kind: error.kind, status: error.status, attempts: error.attempts, latencyMs: error.latencyMs }
          : { kind: 'error', err: redact(errorMessage(error), env) };
      log?.warn({ backend, model, ...failure }, 'LLM unavailable; answering offline');
      return { ...offline(MODEL_UNAVAILABLE_NOTE), backend, model };
    }
    const cutOff = generation.finish === 'cut-off';
    if (cutOff)
      log?.warn({ backend, model, finishReason: generation.finishReason, latencyMs: generation.latencyMs, outputTokens: generation.usage?.outputTokens }, 'LLM answer cut off');
    const cited = citeModelText(generation.text, cutOff);
    if (cited.citations.length)
      return finish({ kind: list ? 'list' : 'answer', ...cited, refused: false, usage: generation.usage, ...(cutOff ? { note: CUT_OFF_NOTE } : {}) }, composeStarted);
    if (generation.text.includes(NOT_COVERED) || /\b(?:do(?:es)? not|don't|doesn't) (?:cover|address|answer|mention|discuss)\b/i.test(generation.text)) {
      return decline(composeStarted, 'the model said the sources do not cover it', { usage: generation.usage });
    }
    return offline(NO_CITATIONS_NOTE, generation.usage);
  }

  return { backend, model, answer };
}

/** The searched query's words the collection knows, stop words left out: what "Searched for:" shows. */
function searchedWords(query: string, stats: ReturnType<typeof collectionStats>): string {
  const out: string[] = [];
  for (const w of words(query)) {
    if (!contentTerms(w).length || out.includes(w)) continue;
    if (stats.knowsWord(w) || contentTerms(w).some((t) => stats.df.has(t))) out.push(w);
  }
  return out.join(' ');
}
