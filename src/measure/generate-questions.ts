/**
 * Extra training questions for `npm run fit`, made from the collection itself and from templates,
 * never from the labelled test questions:
 *
 * - named methods: "what does MIGU do?" for each name (an acronym or mixed-case word defined in a
 *   title or in parentheses) that only its own paper uses;
 * - titles: a paper's title, lower-cased, some words dropped, asked the way people ask;
 * - keywords: the rarest words of one sentence of an abstract ("how does lexical unit decoding
 *   parallel work?");
 * - topics: "which papers are about <topic label>?", relevant to every paper of the topic;
 * - typos: a copy of some of the above with a letter swapped or dropped in a longer word;
 * - off-topic: templates across cooking, sport, biology lab work, travel, money, law, home and
 *   machine-learning subjects the seed collection does not hold (object detection, federated
 *   learning, ...). They are off-topic for the seed collection only.
 */
import type { Topic } from '../browse/types.js';
import type { Paper } from '../corpus/paper.js';
import { splitSentences } from '../corpus/normalize.js';
import { contentTerms, words } from '../answer/terms.js';
import { CollectionStats } from '../retrieval/collection-stats.js';
import { NAME_LIKE, SIZE } from '../retrieval/names.js';
import { shuffled } from './fit-linear.js';

export interface GeneratedQuestion {
  id: string;
  question: string;
  /** Papers that answer it; empty for off-topic ones. */
  relevant: string[];
  kind: 'answerable' | 'multi-paper' | 'off-topic';
  source: 'name' | 'title' | 'keywords' | 'topic' | 'typo' | 'template';
}

const NAME_TEMPLATES = ['what does {} do?', 'What is {}?', 'how does {} work', '{}?', 'explain {}', 'tell me about {}'];
const TITLE_TEMPLATES = ['is there a paper on {}?', '{}', 'anything about {}', 'what is known about {}?', 'papers on {}'];
const KEYWORD_TEMPLATES = ['how does {} work?', '{}', 'what about {}?', 'any work on {}?'];
const TOPIC_TEMPLATES = ['which papers are about {}?', 'what is {}?', 'papers on {}', 'list the work on {}'];

/** Off-topic questions: the collection is about machine-learning research, these are not (or not about its subjects). */
const OFF_TOPIC: string[] = [
  ...['lasagna', 'sourdough bread', 'a souffle', 'pad thai', 'banana bread', 'beef stew', 'sushi rice', 'pancakes'].flatMap((dish) => [
    `how do I make ${dish}?`,
    `what temperature should I bake ${dish} at`,
  ]),
  ...['the world cup final', 'the super bowl', 'wimbledon', 'the tour de france', 'the nba finals', 'the champions league'].map((event) => `who won ${event} last year?`),
  'what was the score of the lakers game yesterday',
  'how many goals did messi score this season?',
  ...['western blot', 'pcr', 'gel electrophoresis', 'cell culture passaging', 'elisa', 'crispr knockout in mice'].flatMap((m) => [
    `what is the protocol for ${m}?`,
    `how do I troubleshoot a failed ${m}`,
  ]),
  'how long should I centrifuge a blood sample before plasma separation?',
  'what buffer do I use to lyse bacterial cells?',
  ...['Paris', 'Tokyo', 'Lisbon', 'New York'].map((city) => `what are the best hotels in ${city}?`),
  'cheapest way to fly from london to rome?',
  'should I put my savings in index funds or bonds?',
  'how is capital gains tax calculated on stocks?',
  'what will the stock market do next month',
  'can my landlord keep my deposit for normal wear?',
  'how do I file for divorce in california',
  'how do I fix a leaking kitchen faucet?',
  'why is my dishwasher not draining',
  'how often should I water tomato plants?',
  'what is the tallest mountain in africa?',
  'who painted the mona lisa',
  'what year did the roman empire fall?',
  'how do I change a flat tyre?',
  'what is a good beginner guitar?',
  'how many calories should I eat to lose weight',
  'what are the symptoms of the flu?',
  'how do I center a div with css flexbox?',
  'why does my python script say module not found?',
  'how do I set up a home wifi mesh network',
  'what is the weather in berlin tomorrow',
  'recommend a good sci-fi novel',
  'how do black holes form?',
  'what is the boiling point of ethanol',
  ...[
    'object detection with YOLO on drone footage',
    'federated learning on mobile phones',
    'autonomous driving perception from lidar',
    'weather forecasting with neural networks',
    'stock price prediction with lstms',
    'sentiment analysis of tweets',
    'optical character recognition of handwriting',
    'satellite image segmentation of crops',
    'anomaly detection in factory sensor data',
    'chess engines with tree search',
    'face recognition on cctv cameras',
  ].flatMap((subject) => [`how well does ${subject} work?`, `best approach for ${subject}`]),
];

/** Names defined by a paper ("MIGU: ..." in the title, "(MIGU)" in the abstract) that no other paper uses. */
function ownNames(papers: Paper[]): { name: string; paper: Paper }[] {
  const out: { name: string; paper: Paper }[] = [];
  const texts = papers.map((p) => `${p.title} ${p.abstract}`);
  for (const p of papers) {
    const candidates = new Set<string>();
    const titleName = /^([^:]{2,30}):/.exec(p.title)?.[1].trim();
    if (titleName && !titleName.includes(' ')) candidates.add(titleName);
    for (const m of p.abstract.matchAll(/\(([A-Za-z][\w-]{1,20})\)/g)) candidates.add(m[1]);
    for (const name of candidates) {
      if (!NAME_LIKE.test(name) || SIZE.test(name)) continue;
      const pattern = new RegExp(`(?<![\\w-])${name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(?![\\w-])`);
      if (texts.filter((t) => pattern.test(t)).length === 1) out.push({ name, paper: p });
    }
  }
  return out;
}

/** A typo in one longer word: two letters swapped or one dropped. */
function withTypo(text: string, pick: number): string | undefined {
  const long = [...text.matchAll(/\b[a-z]{6,}\b/g)];
  if (!long.length) return undefined;
  const m = long[pick % long.length];
  const w = m[0];
  const i = 2 + (pick % (w.length - 3));
  const typo = pick % 2 ? w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2) : w.slice(0, i) + w.slice(i + 1);
  return text.slice(0, m.index) + typo + text.slice(m.index! + w.length);
}

/** The generated questions for a collection, deterministic for a given collection. */
export function generateQuestions(papers: Paper[], topics: Topic[], stats: CollectionStats): GeneratedQuestion[] {
  const out: GeneratedQuestion[] = [];
  const add = (q: Omit<GeneratedQuestion, 'id'>) => out.push({ id: `g${String(out.length + 1).padStart(4, '0')}`, ...q });
  ownNames(papers).forEach(({ name, paper }, i) =>
    add({ question: NAME_TEMPLATES[i % NAME_TEMPLATES.length].replace('{}', name), relevant: [paper.id], kind: 'answerable', source: 'name' }),
  );
  papers.forEach((p, i) => {
    if (p.titleDerived) return;
    const title = words(p.title.replace(/^[^:]{2,30}:\s*/, ''));
    const kept = title.filter((_, j) => (j + i) % 4 !== 3).join(' ');
    if (kept.split(' ').length >= 2) add({ question: TITLE_TEMPLATES[i % TITLE_TEMPLATES.length].replace('{}', kept), relevant: [p.id], kind: 'answerable', source: 'title' });
    const sentences = splitSentences(p.abstract);
    const sentence = sentences[(i * 7) % Math.max(1, sentences.length)] ?? '';
    const rare = [...new Set(words(sentence).filter((w) => w.length > 3 && contentTerms(w).length))]
      .map((w) => ({ w, idf: Math.max(...contentTerms(w).map((t) => stats.idf(t))) }))
      .sort((a, b) => b.idf - a.idf)
      .slice(0, 3 + (i % 3))
      .map((x) => x.w);
    if (rare.length >= 3)
      add({ question: KEYWORD_TEMPLATES[i % KEYWORD_TEMPLATES.length].replace('{}', rare.join(' ')), relevant: [p.id], kind: 'answerable', source: 'keywords' });
  });
  topics.forEach((t, i) => {
    for (const phrase of t.keyPhrases.slice(0, 2)) {
      add({ question: TOPIC_TEMPLATES[i % TOPIC_TEMPLATES.length].replace('{}', phrase), relevant: t.papers.map((p) => p.paperId), kind: 'multi-paper', source: 'topic' });
    }
  });
  const typed = shuffled(
    out.filter((q) => q.source !== 'topic'),
    7,
  ).slice(0, Math.round(out.length / 4));
  typed.forEach((q, i) => {
    const typo = withTypo(q.question, i + 3);
    if (typo && typo !== q.question) add({ ...q, question: typo, source: 'typo' });
  });
  for (const question of OFF_TOPIC) add({ question, relevant: [], kind: 'off-topic', source: 'template' });
  return out;
}
