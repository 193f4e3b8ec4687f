/**
 * The terminal conversation behind `npm run chat`: questions with follow-ups, and the same slash
 * commands the Discord bot offers, answered through the same `Litbot` handlers. Kept apart from
 * readline so tests can drive it line by line.
 */
import type { AnswerResult, Turn } from '../answer/types.js';
import { errorMessage } from '../errors.js';
import type { Litbot } from '../litbot.js';
import { formatAnswer, formatPaperCard, formatSearchHits, formatSimilarList, formatTopic, formatTopicList } from './format.js';

/** Earlier exchanges kept for follow-ups. */
const HISTORY_TURNS = 4;

export const CHAT_HELP = [
  'Ask a question in plain words; follow-ups ("what about its results?") keep the conversation in view.',
  'Commands:',
  "  /topics [topic]    the collection's topics, or one topic's papers (by name or number)",
  "  /paper <title>     a paper's card: link, authors, date, abstract",
  '  /similar <title>   papers most like that one',
  '  /search <query>    the best-matching papers with a passage each',
  '  /about             the index and the answer backend',
  '  /new               forget the conversation so far',
  '  /help              this list',
  '  /quit              leave (Ctrl+D works too)',
].join('\n');

export interface ChatSessionOptions {
  /** Where output goes (a line at a time, or a streamed piece when `partial`). */
  write: (text: string, partial?: boolean) => void;
  /** Print LLM tokens as they arrive. */
  stream?: boolean;
}

export interface ChatSession {
  /** Handles one input line; resolves `false` when the session should end. */
  handle(line: string): Promise<boolean>;
  readonly history: readonly Turn[];
}

export function createChatSession(litbot: Litbot, options: ChatSessionOptions): ChatSession {
  const history: Turn[] = [];
  const { write } = options;

  async function ask(question: string): Promise<void> {
    let printed = '';
    const onToken = options.stream
      ? (textSoFar: string) => {
          // Print what is new (raw: emphasis may still be open). Snapshots are checked text, so one
          // may rewrite what was printed (markers merged, a link kept once its paper is cited):
          // printing stops there, and the final answer is shown whole below.
          if (!textSoFar.startsWith(printed)) return;
          write(textSoFar.slice(printed.length), true);
          printed = textSoFar;
        }
      : undefined;
    const result: AnswerResult = await litbot.ask(question, { history: history.slice(-HISTORY_TURNS), onToken });
    const streamedAll = printed !== '' && printed.trim() === result.answer.trim();
    if (printed) write('\n', true);
    // When checking changed the text (renumbered or removed citations, or the offline fallback), show the final answer.
    write(formatAnswer(result, { skipBody: streamedAll }));
    history.push({ question, answer: result });
  }

  async function command(name: string, arg: string): Promise<boolean> {
    switch (name) {
      case 'help':
      case '?':
        write(CHAT_HELP);
        return true;
      case 'quit':
      case 'exit':
        return false;
      case 'new':
      case 'reset':
        history.length = 0;
        write('Started a new conversation.');
        return true;
      case 'about': {
        const a = litbot.about();
        write(
          `Litbot ${a.version}: ${a.papers} papers, ${a.chunks} passages, ${a.topics} topics; ` +
            `embeddings ${a.embeddings} (${a.dimensions} dimensions), index built ${a.builtAt}; answers by ${a.backend}${a.model ? ` (${a.model})` : ''}.`,
        );
        return true;
      }
      case 'topics':
        write(arg ? formatTopic(litbot, litbot.topic(arg)) : formatTopicList(litbot, litbot.topics()));
        return true;
      case 'paper': {
        if (!arg) throw new UsageError('Usage: /paper <title or part of it>');
        const paper = litbot.paper(arg);
        write(formatPaperCard(paper, litbot.topicOf(paper.id), litbot.lookup(arg, 4)));
        return true;
      }
      case 'similar':
        if (!arg) throw new UsageError('Usage: /similar <title or part of it>');
        write(formatSimilarList(await litbot.similar(arg)));
        return true;
      case 'search':
        if (!arg) throw new UsageError('Usage: /search <words>');
        write(formatSearchHits(await litbot.search(arg, { k: 5, passages: 1 })));
        return true;
      default:
        write(`Unknown command /${name}. Type /help for the list.`);
        return true;
    }
  }

  return {
    history,
    async handle(raw: string): Promise<boolean> {
      const line = raw.trim();
      if (!line) return true;
      try {
        const m = /^\/(\S+)\s*([\s\S]*)$/.exec(line);
        if (m) return await command(m[1].toLowerCase(), m[2].trim());
        await ask(line);
      } catch (error) {
        const name = (error as Error)?.name;
        // User mistakes and known failures read as one line; anything else keeps the session alive too.
        write(
          name === 'UserError' || name === 'UsageError' || name === 'BusyError' || name === 'BackendError' ? errorMessage(error) : `Something went wrong: ${errorMessage(error)}`,
        );
      }
      return true;
    },
  };
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}
