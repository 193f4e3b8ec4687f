/**
 * What a question asks for beyond its topic: a figure ("how much", "what accuracy"), a paper's
 * results ("what about its results?"), or a list of papers ("which papers ...", "any papers on
 * ..."). Read from its wording; the answerer shapes its reply by them.
 */

/** "how much", "by how many points", "what accuracy", "how fast": the question wants a number. */
const ASKS_FIGURE =
  /\bhow (?:much|many|fast|big|large|small|long|often|well|quickly|accurate|efficient)\b|\bby how\b|\bwhat (?:accuracy|score|scores|percentage|speed-?up|improvement|gain|gains|error|f1|bleu|rate|size|number|numbers|figure|figures|margin|performance|results?)\b|\bwhich (?:numbers|figures|scores)\b|\bhow (?:much )?(?:better|faster|smaller|cheaper|larger|worse|slower)\b|\b(?:what|which) (?:was|were|is|are) the (?:accuracy|score|scores|improvement|gain|speed-?up|numbers|results)\b|\bnumbers?\b|\bpercent(?:age)?\b/i;

/** True when the question asks for a figure. */
export function asksForFigure(question: string): boolean {
  return ASKS_FIGURE.test(question);
}

/** "how many parameters", "how much compute": the thing counted. */
const COUNTED = /\bhow (?:many|much)\s+([a-z][a-z-]*)/i;

/** The word a figure question counts ("parameters" in "how many parameters does it have"), if it names one. */
export function countedThing(question: string): string | undefined {
  return COUNTED.exec(question)?.[1];
}

/** "what about its results?", "how well does it work?", "did it beat the baselines?" */
const ASKS_RESULTS =
  /\b(?:results?|findings?|performance|perform|performs|how (?:well|good)|how (?:much )?better|does it (?:work|help)|did it (?:work|help)|numbers|accuracy|outperform|beat|baselines?|evaluat\w*|experiments?|improve(?:ment|s)?|gains?|scores?)\b/i;

/** True when a question asks what a paper found or how well its method did. */
export function asksForResults(question: string): boolean {
  return ASKS_RESULTS.test(question) || asksForFigure(question);
}

/** "which papers ...", "any papers on ...", "list ...", "what work exists on ...": the question wants several papers. */
const ASKS_LIST =
  /^\W*(?:list|name|show me|give me|find me|find|recommend|suggest)\b.*\b(?:papers|works|studies|approaches|methods|benchmarks|datasets|surveys)\b|\b(?:which|what|other|more|some|several|all(?: the)?)\s+(?:\w+\s+){0,2}?(?:papers|studies|articles|publications|approaches|methods|benchmarks|datasets|surveys)\b(?!\s+(?:say|said|find|found|show|showed|claim|claimed|report|reported|propose|proposed|use|used|do|did)\b)|\b(?:any|are there(?: any)?|is there any|do you have(?: any)?|got any)\s+(?:\w+\s+){0,2}?(?:papers?|works?|studies|articles|publications|approaches|methods|benchmarks|datasets|surveys)\b|\bpapers (?:on|about|that|which|studying|tackling|using|related)\b|\blist (?:of )?(?:the )?(?:papers|works|methods)\b|\bwho (?:else )?(?:has )?(?:worked|works|written|wrote) (?:on|about)\b|^(?!.*\b(?:how|why|what|when|where|does|do|did|is|are|can|could|should)\b)[\w\s'-]{2,40}\s(?:papers|works|studies)\W*$|\blist (?:them|all|some|a few)\b/i;

/** True when the question asks for several papers rather than one answer. */
export function asksForList(question: string): boolean {
  return ASKS_LIST.test(question);
}

/** "what does MIGU do?", "how does X work": the question wants what a method does. */
const ASKS_WHAT_IT_DOES = /\b(?:what|wat|wht) (?:does|do|dos) \S.*\b(?:do|does)\b|\bhow (?:does|do|did) \S.* work\b/i;
/** "what is RWKU", "explain LoRA", "whats MIGU": the subject follows. */
const ASKS_WHAT_IS = /^\W*(?:(?:so|and|ok|hey)\W+)?(?:what(?:'s|s| is| are)|wat(?:'s|s| is)?|explain|define|what do you mean by)\s+(.+)$/i;
/** A method's name: an acronym, a mixed-case or alphanumeric token ("RWKU", "LoRA", "GPT-2"). */
const NAMED = /(?:^|[^\p{L}\p{N}])(?:\p{Lu}[\p{L}]*\p{Lu}[\p{L}]*|[\p{L}]+\d[\p{L}\d]*)(?=$|[^\p{L}\p{N}])/u;

/**
 * True when the question asks what a method does ("what does MIGU do?", "what is RWKU?"), not
 * how well it did or what a general notion means ("what is catastrophic forgetting?" is answered
 * from what papers say about it, not from a paper's "we propose" sentence).
 */
export function asksWhatItIs(question: string): boolean {
  if (asksForResults(question)) return false;
  if (ASKS_WHAT_IT_DOES.test(question)) return true;
  const subject = ASKS_WHAT_IS.exec(question)?.[1];
  return !!subject && NAMED.test(subject);
}
