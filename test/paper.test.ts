import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPaperCard } from '../src/cli/format.js';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { listedByText } from '../src/corpus/paper.js';
import { formatPaper } from '../src/discord/format.js';

const seeds = loadCorpus('seeds').papers;
const circuits = seeds.find((p) => p.title.startsWith('Towards Understanding Fine-Tuning Mechanisms'))!;

describe('who listed a paper', () => {
  it('says "with" the page owner, never presenting them as the author list', () => {
    expect(listedByText({ listedBy: ['Reynold Cheng'] })).toBe('with Reynold Cheng (listed on their author page)');
    expect(listedByText({ listedBy: ['Reynold Cheng', 'Jane Doe'] })).toBe('with Reynold Cheng and Jane Doe (listed on their author pages)');
    expect(listedByText({})).toBeUndefined();
  });

  it('shows an author-page seed paper "with Reynold Cheng" in the terminal card and the Discord /paper embed', () => {
    expect(circuits.listedBy).toEqual(['Reynold Cheng']);
    const card = formatPaperCard(circuits);
    expect(card.split('\n')[2]).toBe('  with Reynold Cheng (listed on their author page) · arXiv Artificial Intelligence');
    const embed = formatPaper(circuits).embeds![0] as { fields?: { name: string; value: string }[] };
    expect(embed.fields?.find((f) => f.name === 'Authors')?.value).toBe('with Reynold Cheng (listed on their author page)');
  });

  it('shows the real author list when another listing of the paper has one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'litbot-paper-'));
    writeFileSync(join(dir, 'a.jsonl'), JSON.stringify({ title: circuits.title, abstract: circuits.abstract, authors: ['Xu Wang', 'Reynold Cheng'] }));
    writeFileSync(join(dir, 'b.txt'), `Collaborating Authors\n\nCheng, Reynold\n\n${circuits.title}\n\narXiv.org Artificial Intelligence\n\n${circuits.abstract}\n`);
    const [paper] = loadCorpus(dir).papers;
    expect(paper).toMatchObject({ authors: ['Xu Wang', 'Reynold Cheng'], listedBy: ['Reynold Cheng'] });
    expect(formatPaperCard(paper).split('\n')[2]).toBe('  Xu Wang, Reynold Cheng · arXiv Artificial Intelligence');
    const embed = formatPaper(paper).embeds![0] as { fields?: { name: string; value: string }[] };
    expect(embed.fields?.find((f) => f.name === 'Authors')?.value).toBe('Xu Wang, Reynold Cheng');
  });
});
