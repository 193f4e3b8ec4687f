/** Autocomplete choices within Discord's limits: at most 25, each name at most 100 characters. */
import type { ApplicationCommandOptionChoiceData } from 'discord.js';
import fuzzysort from 'fuzzysort';
import type { Topic } from '../browse/types.js';
import type { Paper } from '../corpus/paper.js';
import { UserError } from '../errors.js';
import type { Litbot } from '../litbot.js';
import { LIMITS, trimText } from './format.js';

/** Paper titles matching what the user has typed so far; the value is the paper id. */
export function titleChoices(litbot: Litbot, typed: string): ApplicationCommandOptionChoiceData<string>[] {
  const query = typed.trim();
  const matches = query
    ? litbot.lookup(query, LIMITS.choices).map((m) => ({ id: m.paperId, title: m.title }))
    : // Nothing typed yet: offer the most central paper of each topic as a starting point.
      litbot
        .topics()
        .flatMap((t) => t.papers.slice(0, 2))
        .map((p) => litbot.paperById(p.paperId))
        .filter((p): p is Paper => !!p)
        .map((p) => ({ id: p.id, title: p.title }));
  return matches.slice(0, LIMITS.choices).map((m) => ({ name: trimText(m.title, LIMITS.choiceName), value: m.id }));
}

/** Topics whose label fuzzily matches; the value is the topic id. */
export function topicChoices(topics: Topic[], typed: string): ApplicationCommandOptionChoiceData<string>[] {
  const query = typed.trim();
  const picked = query ? fuzzysort.go(query, topics, { key: 'label', limit: LIMITS.choices }).map((r) => r.obj) : topics;
  return picked.slice(0, LIMITS.choices).map((t) => ({
    name: trimText(`${t.label} (${t.papers.length})`, LIMITS.choiceName),
    value: String(t.id),
  }));
}

/** The paper an option names: a paper id picked from autocomplete, or a typed title. */
export function resolvePaper(litbot: Litbot, value: string): Paper {
  const byId = litbot.paperById(value.trim());
  if (byId) return byId;
  if (!value.trim()) throw new UserError('Give a paper title (start typing and pick one from the list).');
  return litbot.paper(value);
}
