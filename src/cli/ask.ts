/**
 * `npm run ask -- "question" [--json] [--provider ...]`: one answer with numbered sources and
 * links. With `--json` and no question, one question per line on standard input and one JSON
 * object per line on standard output (and nothing else there).
 */
import { loadConfig, envSchema } from '../config/env.js';
import { ConfigError } from '../errors.js';
import { createLitbot } from '../litbot.js';
import { answerJson, formatAnswer } from './format.js';
import { program, runCli, stdinLines } from './run-cli.js';

await runCli(async () => {
  const cmd = program('ask', 'Answer a question from the papers, citing them.')
    .argument('[question...]', 'the question; with --json and none, one question per line on stdin')
    .option('--json', 'print the result as JSON (one object per line)')
    .option('--provider <name>', 'answer backend: extractive, openai, ollama or anthropic (default: LLM_PROVIDER)')
    .option('--model <name>', "model name (default: LLM_MODEL or the provider's default)")
    .option('--no-stream', 'print the answer only when it is complete')
    .parse();
  const opts = cmd.opts<{ json?: boolean; provider?: string; model?: string; stream: boolean }>();
  const question = cmd.args.join(' ').trim();
  if (!question && !opts.json) cmd.error('Give a question, e.g. npm run ask -- "How do LLMs forget during continual fine-tuning?"');

  const base = loadConfig();
  const provider = envSchema.shape.LLM_PROVIDER.safeParse(opts.provider ?? base.LLM_PROVIDER);
  if (!provider.success) throw new ConfigError(`--provider must be extractive, openai, ollama or anthropic (got "${opts.provider}").`);
  // LLM_MODEL names a model of the configured provider; switching to another provider drops it.
  const switched = base.LLM_PROVIDER !== 'extractive' && provider.data !== base.LLM_PROVIDER;
  const env = { ...base, LLM_PROVIDER: provider.data, LLM_MODEL: opts.model ?? (switched ? undefined : base.LLM_MODEL) };
  const litbot = await createLitbot({ env, buildIfMissing: true });
  try {
    if (opts.json) {
      const run = async (q: string) => process.stdout.write(`${JSON.stringify(answerJson(await litbot.ask(q)))}\n`);
      if (question) await run(question);
      else for await (const line of stdinLines()) await run(line);
      return;
    }
    let printed = '';
    const stream = opts.stream && env.LLM_PROVIDER !== 'extractive' && process.stdout.isTTY === true;
    const result = await litbot.ask(question, {
      onToken: stream
        ? (text) => {
            // Snapshots are checked text: one that rewrote what was printed waits for the final answer.
            if (!text.startsWith(printed)) return;
            process.stdout.write(text.slice(printed.length));
            printed = text;
          }
        : undefined,
    });
    const streamedAll = printed !== '' && printed.trim() === result.answer.trim();
    if (printed) process.stdout.write('\n\n');
    process.stdout.write(`${formatAnswer(result, { skipBody: streamedAll })}\n`);
  } finally {
    await litbot.close();
  }
});
