/** `/help`: what each command does, and how mentions and threads work. */
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { formatHelp } from '../src/discord/format.js';

export default {
  data: new SlashCommandBuilder().setName('help').setDescription('How to use Litbot.'),

  async execute(interaction, context) {
    const commands = context.commands.map((c) => c.data.toJSON()).map((c) => ({ name: c.name, description: c.description }));
    await interaction.reply({ ...formatHelp(commands, { messageContent: context.env.DISCORD_MESSAGE_CONTENT }), flags: MessageFlags.Ephemeral });
  },
} satisfies Command;
