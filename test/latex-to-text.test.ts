import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { latexToText } from '../src/corpus/latex-to-text.js';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { cleanText } from '../src/corpus/normalize.js';

const seeds = loadCorpus('seeds').papers;
const paper = (start: string) => seeds.find((p) => p.title.startsWith(start))!;

describe('LaTeX in the seed abstracts', () => {
  it('leaves no LaTeX command, math delimiter or TeX quote in any seed title or abstract', () => {
    // The raw seeds do hold markup (the test would be empty otherwise).
    const raw = readdirSync('seeds')
      .map((f) => readFileSync(`seeds/${f}`, 'utf8'))
      .join('\n');
    expect(raw.match(/\\[A-Za-z"'%]/g)?.length).toBeGreaterThan(40);
    for (const p of seeds) {
      expect(`${p.title} ${p.abstract}`, p.title).not.toMatch(/\\[A-Za-z"'`^~%&_#$]|\$|``|[{}]/);
    }
  });

  it('renders accents: T\\"ULU as TÜLU, T\\"ulu as Tülu, Fr\\\'echet as Fréchet', () => {
    expect(paper('TÜLU 3').abstract).toContain('we introduce TÜLU 3, a family of fully-open');
    expect(paper('How Far Can Camels Go').abstract).toContain('We further introduce Tülu, our best performing');
    expect(paper('Geometry-Aware Adaptation').abstract).toContain('swapping argmax with the Fréchet mean');
  });

  it('removes citations and keeps the sentence around them', () => {
    const circuits = paper('Towards Understanding Fine-Tuning Mechanisms').abstract;
    expect(circuits).toContain('Unlike previous studies that focus on tasks where pre-trained models already perform well');
    expect(circuits).toContain('an average performance improvement of 2.46% over standard LoRA');
  });

  it('unwraps bold, italic and underlined text, subscripts and math', () => {
    const migu = paper('Unlocking Continual Learning').abstract;
    expect(migu).toContain('we introduce MIGU (MagnItude-based Gradient Updating for continual learning), a rehearsal-free');
    expect(migu).toContain('Code is available at https://github.com/wenyudu/MIGU.');
    const stacking = paper('Stacking Your Transformers').abstract;
    expect(stacking).toContain('three critical Obstacles: (O1) lack of comprehensive evaluation, (O2) untested viability');
    expect(stacking).toContain('called G_stack, exhibits');
    expect(stacking).toContain('resulting in a 54.6% speedup');
    expect(stacking).toContain('available at https://llm-stacking.github.io/.');
    expect(paper('A Survey on Knowledge Distillation of Large Language Models').abstract).toContain(
      'three foundational pillars: algorithm, skill, and verticalization -- providing',
    );
    // This abstract's markup lost its backslashes before it reached the seeds; the font commands are still read.
    expect(paper('On the Provable Advantage of Unsupervised Pretraining').abstract).toContain('an excess risk of O(C_Phi/m + C_Psi/n) for downstream tasks');
  });

  it('keeps "--" and plain text as they are', () => {
    expect(paper('Geometry-Aware Adaptation').abstract).toContain('Machine learning models -- including prominent zero-shot models -- are often');
    const plain = 'LoRA-Dropout improves by 6 p.p. (95% CI) on GLUE -- see https://example.org/a_b?x=1&y=2.';
    expect(cleanText(plain)).toBe(plain);
  });
});

describe('latexToText', () => {
  const cases: [string, string][] = [
    ['T\\"ULU 3 and na\\"{\\i}ve Erd\\H{o}s, {\\"o}, \\c{c}a, \\v{S}koda, Stra\\ss e, \\o{}', 'TÜLU 3 and naïve Erdős, ö, ça, Škoda, Straße, ø'],
    ['see~\\cite{a,b} and \\citep[p.~3]{c}; Fig.~\\ref{fig:x} shows', 'see and; Fig. shows'],
    ['$\\mathcal{O}(n^2 \\log n)$ with $\\alpha \\leq 0.5$ and $\\frac{1}{\\sqrt{n}}$', 'O(n^2 log n) with α ≤ 0.5 and 1/√n'],
    ['$\\pi$-Tuning and \\textsuperscript{th} and \\LaTeX{} code', 'π-Tuning and th and LaTeX code'],
    ["``quoted'' and `single' and 100\\% of \\$5", '“quoted” and ‘single’ and 100% of $5'],
    ['costs $5 and $10 each', 'costs $5 and $10 each'],
    ['\\href{https://x.org/a}{this https URL} and https://github.com/a/b{here}.', 'https://x.org/a and https://github.com/a/b.'],
    ['machine learning models to ``forget" specific training data', 'machine learning models to “forget” specific training data'],
  ];
  for (const [input, expected] of cases) {
    it(`renders ${input}`, () => {
      expect(cleanText(input)).toBe(expected);
    });
  }

  it('returns text without markup unchanged and takes linear time on hostile input', () => {
    const plain = 'Plain text with no markup at all.';
    expect(latexToText(plain)).toBe(plain);
    const hostile = '{'.repeat(5_000) + '\\textbf{'.repeat(2_000) + '$'.repeat(5_000) + ' \\'.repeat(5_000);
    expect(typeof latexToText(hostile)).toBe('string');
  });
});
