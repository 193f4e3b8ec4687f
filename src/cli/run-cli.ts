/** Shared plumbing for the command-line entry points: errors become one clear message and an exit code. */
import { Command } from 'commander';

const EXPECTED = new Set(['UserError', 'ConfigError', 'CorpusError', 'IndexNotBuiltError', 'IndexMismatchError', 'IndexDamagedError', 'IndexBuildRunningError', 'BackendError']);

/** Runs `main`; expected errors print their message to stderr and exit 1, others their stack. */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const err = error as Error;
    if (EXPECTED.has(err?.name) || err?.name === 'MissingApiKeyError') process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`Unexpected error: ${err?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
  // Worker threads or sockets a failed step left open must not keep a finished command alive.
  setTimeout(() => process.exit(), 1000).unref();
}

/** A commander program with the project's conventions. */
export function program(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)');
}

/** Parses an integer option or throws a message naming it. */
export function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max} (got "${value}")`);
    return n;
  };
}

/** Lines of standard input, trimmed, blanks skipped. */
export async function* stdinLines(): AsyncGenerator<string> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) yield line.trim();
}
