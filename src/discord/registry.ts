/**
 * The one registry of slash commands: every module in `commands/` whose default export is a
 * `Command`. The dispatcher and the deploy script both read it, so what the bot handles and what
 * it registers cannot drift apart.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { REST, Routes, type RESTPutAPIApplicationCommandsResult } from 'discord.js';
import { isCommand, type Command } from './command.js';

/** The `commands/` folder at the project root. */
export const COMMANDS_DIR = fileURLToPath(new URL('../../commands/', import.meta.url));

/** Loads every command in `dir`, sorted by name; throws naming any file that is not a command. */
export async function loadCommands(dir = COMMANDS_DIR): Promise<Command[]> {
  const files = (await readdir(dir)).filter((f) => /\.(ts|js|mjs)$/.test(f) && !/\.(d|test)\.ts$/.test(f)).sort();
  const commands: Command[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(dir, file)).href)) as { default?: unknown };
    if (!isCommand(module.default)) {
      throw new Error(`${join(dir, file)} does not export a command: its default export needs data (a SlashCommandBuilder) and execute().`);
    }
    commands.push(module.default);
  }
  const names = new Set<string>();
  for (const c of commands) {
    if (names.has(c.data.name)) throw new Error(`Two commands are named /${c.data.name} in ${dir}`);
    names.add(c.data.name);
  }
  return commands.sort((a, b) => a.data.name.localeCompare(b.data.name));
}

/**
 * Registers `commands` with Discord: to one guild (takes effect at once) or globally (may take
 * up to an hour to show everywhere). Replaces whatever was registered before.
 */
export async function registerCommands(options: { rest: REST; clientId: string; guildId?: string; commands: readonly Command[] }): Promise<RESTPutAPIApplicationCommandsResult> {
  const route = options.guildId ? Routes.applicationGuildCommands(options.clientId, options.guildId) : Routes.applicationCommands(options.clientId);
  return (await options.rest.put(route, { body: options.commands.map((c) => c.data.toJSON()) })) as RESTPutAPIApplicationCommandsResult;
}

/** A REST client for `token`, honouring a REST proxy base URL when one is set. */
export function createRest(token: string, apiUrl?: string): REST {
  return new REST(apiUrl ? { api: apiUrl } : {}).setToken(token);
}
