/**
 * Loaded before every compiled entry point (`node --import ./scripts/check-build.mjs dist/...`,
 * see package.json): when the sources changed since `dist/` was built (a `git pull`, an edit), it
 * rebuilds first, saying so on standard error, so a stale build never runs silently. Without
 * TypeScript to rebuild with, it stops with the command that fixes it.
 */
import { buildDistOrExit, checkBuild, findTsc } from './build-state.mjs';

const state = checkBuild();
if (!state.fresh) {
  const log = (line) => process.stderr.write(`${line}\n`);
  if (!findTsc()) {
    log(`Litbot's compiled build is out of date (${state.reason}) and TypeScript is not installed to rebuild it: run npm install, then npm run build.`);
    process.exit(1);
  }
  log(`Rebuilding dist/ first: ${state.reason} (npm run build; about 10-20 s) ...`);
  buildDistOrExit(log, 'Rebuilt');
}
