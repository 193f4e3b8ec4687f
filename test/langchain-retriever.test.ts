import { describe, expect, it } from 'vitest';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnablePassthrough, RunnableSequence } from '@langchain/core/runnables';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { BaseRetriever } from '@langchain/core/retrievers';
import type { PaperDocument } from '../src/retrieval/langchain-retriever.js';
import { createTestLitbot } from './helpers/test-litbot.js';

const QUESTION = 'how do language models forget earlier tasks during continual fine-tuning?';

describe('the retriever as a LangChain BaseRetriever', () => {
  it('returns one Document per paper, best first, with the paper metadata and scores of the search', async () => {
    const { litbot } = await createTestLitbot();
    const retriever = await litbot.asRetriever({ k: 5 });
    expect(retriever).toBeInstanceOf(BaseRetriever);
    const docs = await retriever.invoke(QUESTION);
    const expected = await litbot.search(QUESTION, { k: 5 });
    expect(docs.map((d) => d.metadata.paperId)).toEqual(expected.hits.map((h) => h.paperId));
    docs.forEach((d, i) => {
      const hit = expected.hits[i];
      expect(d.metadata).toMatchObject({ rank: i + 1, title: hit.paper.title, url: hit.paper.url, score: hit.score });
      expect(d.pageContent).toContain(hit.passages[0].text);
      expect(d.metadata.passages.map((p) => p.chunkId)).toEqual(hit.passages.map((p) => p.chunkId));
    });
    // Per-call options through LangChain's config: a narrower list, a filter.
    const two = await retriever.invoke(QUESTION, { configurable: { search: { k: 2, sourceFile: '000_' } } });
    expect(two.length).toBeLessThanOrEqual(2);
    for (const d of two) expect(d.metadata.hit.paper.sources.some((s) => s.file.includes('000_'))).toBe(true);
  });

  it('composes in a small LCEL chain: retrieved papers fill the prompt a chat model answers', async () => {
    const { litbot } = await createTestLitbot();
    const retriever = await litbot.asRetriever({ k: 3 });
    const model = new FakeListChatModel({ responses: ['They forget because fine-tuning overwrites shared weights [1].'] });
    const prompts: string[] = [];
    const prompt = ChatPromptTemplate.fromMessages([
      ['system', 'Answer from these papers only:\n{context}'],
      ['human', '{question}'],
    ]);
    const format = (docs: PaperDocument[]) => docs.map((d, i) => `[${i + 1}] ${d.metadata.title}: ${d.pageContent}`).join('\n');
    const chain = RunnableSequence.from([
      { context: retriever.pipe(format), question: new RunnablePassthrough() },
      prompt,
      (value: Awaited<ReturnType<typeof prompt.invoke>>) => {
        prompts.push(
          value
            .toChatMessages()
            .map((m) => String(m.content))
            .join('\n'),
        );
        return value;
      },
      model,
      new StringOutputParser(),
    ]);
    const answer = await chain.invoke(QUESTION);
    expect(answer).toBe('They forget because fine-tuning overwrites shared weights [1].');
    const top = (await litbot.search(QUESTION, { k: 3 })).hits;
    expect(prompts).toHaveLength(1);
    for (const [i, hit] of top.entries()) expect(prompts[0]).toContain(`[${i + 1}] ${hit.paper.title}: ${hit.passages[0].text}`);
    expect(prompts[0]).toContain(QUESTION);
  });

  it('is what the answer pipeline retrieves through, once per question', async () => {
    const { litbot } = await createTestLitbot();
    const seen: string[] = [];
    const { LitbotRetriever } = await import('../src/retrieval/langchain-retriever.js');
    const original = LitbotRetriever.prototype._getRelevantDocuments;
    LitbotRetriever.prototype._getRelevantDocuments = async function (query, runManager) {
      seen.push(query);
      return original.call(this, query, runManager);
    };
    try {
      const answer = await litbot.ask(QUESTION);
      expect(answer.citations.length).toBeGreaterThan(0);
      expect(seen).toEqual([QUESTION]);
    } finally {
      LitbotRetriever.prototype._getRelevantDocuments = original;
    }
  });
});
