/**
 * `npm run deploy-commands`: registers every command in `commands/` with Discord, to
 * `DISCORD_GUILD_ID` when it is set (instant, for development) or globally.
 */
import { loadConfig, requireDiscord } from '../config/env.js';
import { errorMessage } from '../errors.js';
import { createRest, loadCommands, registerCommands } from './registry.js';

async function main(): Promise<void> {
  const discord = requireDiscord(loadConfig());
  const commands = await loadCommands();
  const registered = await registerCommands({ rest: createRest(discord.token, discord.apiUrl), clientId: discord.clientId, guildId: discord.guildId, commands });
  const where = discord.guildId ? `guild ${discord.guildId} (available now)` : 'all servers (global commands can take up to an hour to appear)';
  console.log(`Registered ${registered.length} commands to ${where}: ${registered.map((c) => `/${c.name}`).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(errorMessage(error));
  process.exitCode = 1;
});
