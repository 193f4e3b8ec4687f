/** `npm run chat`: an interactive session in the terminal, offline by default, building the index first when there is none. */
import { createInterface } from 'node:readline';
import { createLitbot } from '../litbot.js';
import { createChatSession } from './chat-session.js';
import { program, runCli } from './run-cli.js';

await runCli(async () => {
  program('chat', 'Talk to Litbot in the terminal: questions, follow-ups and /commands.').parse();
  // Watching: an index rebuilt meanwhile (npm run index, or /add in the bot) is used from the next question on.
  const litbot = await createLitbot({ buildIfMissing: true, preload: true, watch: true });
  const about = litbot.about();
  const interactive = process.stdin.isTTY === true;
  const session = createChatSession(litbot, {
    write: (text, partial) => process.stdout.write(partial ? text : `${text}\n`),
    stream: about.backend !== 'extractive',
  });
  process.stdout.write(
    `Litbot: ${about.papers} papers, ${about.topics} topics; answers by ${about.backend}${about.model ? ` (${about.model})` : ''}.\n` +
      'Ask a question, or type /help. /quit leaves.\n',
  );
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive, prompt: interactive ? '> ' : '' });
  rl.prompt();
  // Lines are handled one at a time even when pasted or piped in together.
  for await (const line of rl) {
    const goOn = await session.handle(line);
    if (!goOn) break;
    if (interactive) process.stdout.write('\n');
    rl.prompt();
  }
  rl.close();
  await litbot.close();
});
