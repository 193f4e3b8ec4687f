/** `/topics [topic:<autocomplete>]`: the topics and their sizes, or one topic's papers, paged. */
import { SlashCommandBuilder } from 'discord.js';
import { StaleButtonError, parseTopicPageButton } from '../src/discord/button-ids.js';
import { topicChoices } from '../src/discord/choices.js';
import type { Command } from '../src/discord/command.js';
import { formatTopicPage, formatTopics, topicPages } from '../src/discord/format.js';
import type { Paper } from '../src/corpus/paper.js';
import type { Litbot } from '../src/litbot.js';
import type { Topic } from '../src/browse/types.js';

function papersOf(litbot: Litbot, topic: Topic): Paper[] {
  return topic.papers.map((p) => litbot.paperById(p.paperId)).filter((p): p is Paper => !!p);
}

function findTopic(litbot: Litbot, value: string): Topic {
  const byId = /^\d+$/.test(value) ? litbot.topics().find((t) => t.id === Number(value)) : undefined;
  return byId ?? litbot.topic(value);
}

export default {
  data: new SlashCommandBuilder()
    .setName('topics')
    .setDescription('The research topics in the collection, or the papers of one topic.')
    .addStringOption((o) => o.setName('topic').setDescription('A topic to list the papers of').setAutocomplete(true)),

  async execute(interaction, context) {
    const value = interaction.options.getString('topic')?.trim();
    if (!value) {
      const [first, ...rest] = formatTopics(context.litbot.topics());
      await interaction.reply(first);
      for (const message of rest) await interaction.followUp(message);
      return;
    }
    const topic = findTopic(context.litbot, value);
    await interaction.reply(formatTopicPage(topic, papersOf(context.litbot, topic), 0));
  },

  async autocomplete(interaction, context) {
    await interaction.respond(topicChoices(context.litbot.topics(), interaction.options.getFocused()));
  },

  async button(interaction, context, args) {
    const { topicId, page } = parseTopicPageButton(args);
    const topic = context.litbot.topics().find((t) => t.id === topicId);
    if (!topic) throw new StaleButtonError();
    const papers = papersOf(context.litbot, topic);
    // A page past the end is forged, or left from before a rebuild shrank the topic.
    if (page >= topicPages(papers).length) throw new StaleButtonError();
    await interaction.update(formatTopicPage(topic, papers, page));
  },
} satisfies Command;
