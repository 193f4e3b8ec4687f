/** `/about`: corpus size, topics, index build time, embedding model, LLM backend, version. */
import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { formatAbout } from '../src/discord/format.js';

export default {
  data: new SlashCommandBuilder().setName('about').setDescription('What Litbot knows: papers, topics, index, models, version.'),

  async execute(interaction, context) {
    await interaction.reply(formatAbout(context.litbot.about()));
  },
} satisfies Command;
