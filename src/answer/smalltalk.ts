/**
 * Chit-chat and questions about Litbot itself ("hi", "thanks!", "what can you do?", "help", "who
 * made you"), recognised before retrieval so they get a short friendly reply instead of a refusal
 * with random papers. The rule is readable on purpose: a message is small talk only when every
 * word of it belongs to one of the phrases below (plus a few fillers such as "please" or the bot's
 * name), so "help me find papers on unlearning" or "hi, what is LoRA dropout?" stay questions.
 * The phrases were written from the chit-chat of the tuning questions and checked against every
 * question of the tuning sets (none is swallowed; `test/smalltalk.test.ts`).
 */
import type { Topic } from '../browse/types.js';
import { NAME_LIKE } from '../retrieval/names.js';
import { titleName } from './overview.js';

/** What a small-talk message is about; decides the reply's opening. */
export type SmalltalkIntent = 'greeting' | 'thanks' | 'goodbye' | 'wellbeing' | 'capabilities' | 'identity';

/**
 * Phrases by intent, as word sequences (lower case, punctuation removed). Longer phrases are tried
 * first, so "what can you do" wins over "what".
 */
const PHRASES: Record<SmalltalkIntent, string[]> = {
  greeting: [
    'hi',
    'hii',
    'hiii',
    'hello',
    'helo',
    'hey',
    'heya',
    'hiya',
    'yo',
    'howdy',
    'greetings',
    'sup',
    'wassup',
    "what's up",
    'whats up',
    'good morning',
    'good afternoon',
    'good evening',
    'morning',
    'gm',
    'hallo',
    'hola',
    'bonjour',
    'ahoy',
  ],
  thanks: [
    'thanks',
    'thank you',
    'thank u',
    'thx',
    'thnx',
    'ty',
    'tysm',
    'cheers',
    'much appreciated',
    'appreciate it',
    'great',
    'awesome',
    'nice',
    'cool',
    'perfect',
    'got it',
    'ok',
    'okay',
    'k',
    'kk',
    'alright',
    'great answer',
    'good answer',
    'nice one',
    'good bot',
    'that helps',
    'that helped',
    'that was helpful',
    'very helpful',
    'helpful',
    'makes sense',
    'that makes sense',
    'i see',
    'interesting',
    'wow',
    'lol',
    'haha',
    'neat',
    'sweet',
    'amazing',
    'love it',
    'good job',
    'well done',
  ],
  goodbye: ['bye', 'goodbye', 'bye bye', 'see you', 'see ya', 'cya', 'later', 'good night', 'gn', 'ttyl', 'take care'],
  wellbeing: ['how are you', 'how are u', 'how r u', "how's it going", 'hows it going', 'how is it going', 'how are you doing', "how're you", 'you ok', 'are you ok'],
  capabilities: [
    'help',
    'what can you do',
    'what can u do',
    'what do you do',
    'what are you for',
    'what are you able to do',
    'what can i ask',
    'what can i ask you',
    'what should i ask',
    'what should i ask you',
    'how do i use you',
    'how do i use this',
    'how do you work',
    'how does this work',
    'how does this bot work',
    'what is this',
    "what's this",
    'what is this bot',
    'what do you know',
    'what are your commands',
    'commands',
    'what topics do you know',
    'what topics do you cover',
    'what do you cover',
    'how can you help',
    'how can you help me',
    'can you help',
    'can you help me',
    'what can you help with',
    'what can you help me with',
    'usage',
    'instructions',
    'what papers do you have',
    'what papers do you know',
    'what is in your collection',
    "what's in your collection",
  ],
  identity: [
    'who are you',
    'who r u',
    'what are you',
    'who made you',
    'who built you',
    'who created you',
    'who wrote you',
    'who programmed you',
    'who owns you',
    'who runs you',
    'are you a bot',
    'are you human',
    'are you a human',
    'are you real',
    'are you an ai',
    'are you ai',
    'are you chatgpt',
    'are you gpt',
    "what's your name",
    'whats your name',
    'what is your name',
    'your name',
    'introduce yourself',
  ],
};

/** Words that may pad any small-talk message without making it a question. */
const FILLER = new Set([
  'litbot',
  'bot',
  'there',
  'please',
  'pls',
  'plz',
  'so',
  'much',
  'very',
  'a',
  'lot',
  'again',
  'all',
  'guys',
  'everyone',
  'folks',
  'and',
  'oh',
  'ah',
  'um',
  'uh',
  'hmm',
  'well',
  'just',
  'btw',
  'anyway',
  'then',
  'me',
  'buddy',
  'friend',
  'mate',
  'man',
  'dude',
  'for',
  'that',
  'this',
  'you',
  'u',
  'the',
  'info',
  'answer',
  'really',
  'quick',
  'question',
  'q',
  'exactly',
  'now',
  'still',
  'too',
  'thing',
]);

/** Intents in order of what the reply should address when a message mixes them ("hi, what can you do?"). */
const PRIORITY: SmalltalkIntent[] = ['capabilities', 'identity', 'wellbeing', 'thanks', 'goodbye', 'greeting'];

const PHRASE_LIST = (Object.entries(PHRASES) as [SmalltalkIntent, string[]][])
  .flatMap(([intent, phrases]) => phrases.map((p) => ({ intent, words: p.split(' ') })))
  .sort((a, b) => b.words.length - a.words.length);

/** Lower-cased words of a message: mentions, emoji, punctuation and repeated letters ("hiii", "thanksss") folded away. */
function messageWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/<[@#][!&]?\d+>|<a?:\w+:\d+>|:[a-z_]+:/g, ' ')
    .replace(/[’`]/g, "'")
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.replace(/(.)\1{2,}$/, '$1'));
}

/** The phrases a message opens with, and the words left after them; fillers are skipped anywhere. */
function parse(text: string): { intents: SmalltalkIntent[]; rest: string[] } {
  const w = messageWords(text);
  const intents: SmalltalkIntent[] = [];
  let i = 0;
  outer: while (i < w.length) {
    for (const p of PHRASE_LIST) {
      if (p.words.every((word, k) => w[i + k] === word)) {
        intents.push(p.intent);
        i += p.words.length;
        continue outer;
      }
    }
    if (FILLER.has(w[i])) {
      i++;
      continue;
    }
    break;
  }
  return { intents, rest: w.slice(i) };
}

/**
 * The small-talk intent of a message, or undefined when it asks something about the papers. A
 * message is small talk only when nothing but small-talk phrases and fillers is in it, so any
 * other word ("hi MIGU", "help with unlearning") makes it a question.
 */
export function smalltalkIntent(message: string): SmalltalkIntent | undefined {
  if (message.length > 120) return undefined;
  const { intents, rest } = parse(message);
  if (!intents.length || rest.length) return undefined;
  return PRIORITY.find((p) => intents.includes(p));
}

/**
 * The question with a leading greeting or thanks removed ("hi! what is lora dropout?" -> "what is
 * lora dropout?"), so those words do not count as unknown question words. Unchanged when nothing
 * is left after them or when the opening is not small talk.
 */
export function withoutSmalltalk(message: string): string {
  const { intents, rest } = parse(message);
  if (!intents.length || !rest.length || intents.some((i) => i === 'capabilities' || i === 'identity')) return message;
  // Cut the original text at the first word that is left, keeping its case and punctuation.
  const first = rest[0];
  const at = message.toLowerCase().search(new RegExp(`\\b${first.replace(/[^a-z0-9']/g, '')}\\b`));
  return at > 0 ? message.slice(at).trim() : message;
}

/** What the reply may say about the collection. */
export interface CollectionFacts {
  papers: number;
  topics: Topic[];
  /** Titles of papers, by id, for the example questions. */
  titleOf: (paperId: string) => string | undefined;
}

/** A topic's most telling key phrase: several words, not a fragment; the label's first part otherwise. */
function topicPhrase(topic: Topic): string | undefined {
  const phrases = topic.keyPhrases.length ? topic.keyPhrases : topic.label.split(' · ');
  return phrases.find((p) => p.includes(' ') && p.length <= 40) ?? phrases.find((p) => p.length >= 4);
}

/**
 * Two questions the collection can answer, made from its topics: one asks for the papers on the
 * largest topic's key phrase, the other what the most central named method of the other topics
 * does for its topic ("What does MIGU do for continual learning?"), or, when no central paper has
 * a name in its title, asks about the second topic's key phrase.
 */
export function exampleQuestions(facts: CollectionFacts): string[] {
  const topics = [...facts.topics].sort((a, b) => b.papers.length - a.papers.length || a.id - b.id);
  const first = topics.find((t) => topicPhrase(t));
  if (!first) return [];
  const out = [`Which papers study ${topicPhrase(first)}?`];
  const others = topics.filter((t) => t !== first);
  for (const topic of others) {
    const name = topic.papers
      .slice(0, 3)
      .map((p) => titleName(facts.titleOf(p.paperId) ?? ''))
      .find((n): n is string => !!n && NAME_LIKE.test(n.replace(/[\s-]+/g, '')));
    const phrase = topicPhrase(topic);
    if (name) return [...out, phrase ? `What does ${name} do for ${phrase}?` : `What does ${name} do?`];
  }
  const second = others.find((t) => topicPhrase(t) && topicPhrase(t) !== topicPhrase(first));
  return second ? [...out, `Tell me about ${topicPhrase(second)}`] : out;
}

/**
 * The reply to a small-talk message: a friendly line for its intent, what Litbot does with this
 * collection, and two example questions from the collection's topics. It cites nothing.
 */
export function smalltalkReply(intent: SmalltalkIntent, facts: CollectionFacts): string {
  const examples = exampleQuestions(facts);
  const tryThese = examples.length ? `Try, for example:\n${examples.map((e) => `• "${e}"`).join('\n')}` : '';
  const what = `I answer questions about the ${facts.papers} research papers in this collection, quoting their abstracts and citing each paper I use.`;
  const more =
    'I can also list the papers on a subject, give an overview of a broad topic, and answer follow-ups ("what about its results?"). /topics lists the topics, /help the commands.';
  const lines: Record<SmalltalkIntent, string[]> = {
    greeting: [`Hi! I'm Litbot. ${what}`, tryThese],
    thanks: ["You're welcome! Ask me anything else about the papers.", tryThese],
    goodbye: ['Bye! Come back any time with a question about the papers.'],
    wellbeing: [`Doing well, thanks for asking! ${what}`, tryThese],
    capabilities: [what, more, tryThese],
    identity: [
      `I'm Litbot, an open-source bot that answers questions about a collection of research-paper abstracts; whoever runs me chose the papers (${facts.papers} here). ` +
        'I only say what the papers say, and cite each one I use.',
      tryThese,
    ],
  };
  return lines[intent].filter(Boolean).join('\n\n');
}
