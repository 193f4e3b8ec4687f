/**
 * What an abstract's sentence does: states a finding or a result ("we show", "outperforms",
 * "improves by 6 p.p."), describes the method ("we propose", "we introduce X, a ..."), or sets
 * the scene ("LLMs have shown remarkable ...", "However, ... remains a challenge"). An answer opens
 * with findings and methods; set-up sentences come last, if at all. Also: whether a sentence
 * carries a figure.
 */

export type SentenceRole = 'finding' | 'method' | 'setup' | 'other';

/** Results: what was shown, found or measured. */
const FINDING =
  /\b(?:we|our (?:results?|experiments?|analys[ie]s|findings?|study|evaluations?)|(?:the )?(?:experimental |empirical |extensive )?(?:results?|experiments?|evaluations?|analys[ie]s|findings?|studies)) (?:[\w-]+ ){0,5}(?:show|shows|showed|demonstrate|demonstrates|demonstrated|reveal|reveals|revealed|find|finds|found|indicate|indicates|suggest|suggests|confirm|confirms|observe|observed|verify|verifies|establish|prove|proves|highlight|highlights|illustrate|illustrates|uncover|discover)\b|\b(?:outperform(?:s|ed|ing)?|surpass(?:es|ed|ing)?|beat(?:s|ing)?|achiev(?:es|ed|ing)|attain(?:s|ed)?|improv(?:es|ed|ing) (?:\w+ ){0,4}(?:by|over|up to)|reduc(?:es|ed|ing) (?:\w+ ){0,4}by|increas(?:es|ed|ing) (?:\w+ ){0,4}by|(?:leads?|led) to|yield(?:s|ed)?|results? in|brings?|boosts?|state[- ]of[- ]the[- ]art|speed-?up|on par|comparable (?:performance|results)|matches|significantly|substantially|consistently)\b/i;

/** The contribution: what the paper proposes, builds or studies. */
const METHOD =
  /\b(?:we|this (?:paper|work|study|article|survey|letter)|our (?:method|approach|framework|model|work|system))\s+(?:[\w-]+\s+){0,2}(?:propose|proposes|present|presents|introduce|introduces|develop|develops|design|designs|build|builds|construct|constructs|formali[sz]e|formulate|release|releases|curate|collect|conduct|investigate|investigates|study|studies|examine|examines|explore|explores|analy[sz]e|analy[sz]es|evaluate|evaluates|benchmark|provide|provides|offer|offers|aim|aims|leverage|use|employ|identify|identifies|establish|establishes|summari[sz]e|apply|applies|train|trains)\b|\b(?:called|named|dubbed)\b/i;

/** A sentence about a named method doing something: "MIGU is based on ...", "TA encourages ...". */
const NAMED_METHOD =
  /^(?:[A-Z][\w-]*(?: [A-Z][\w-]*)?)(?: \([^)]*\))? (?:is|uses|employs|combines|consists|works|learns|trains|adds|updates|relies|leverages|encourages|separates|integrates|builds|applies|replaces|removes|keeps)\b/;

/** Background and motivation: what everyone knows, what is still missing (closing hopes count as set-up too). */
const SETUP =
  /^(?:recent(?:ly)?|in recent years|nowadays|currently|today|over the past|with the (?:rise|advent|rapid|growing|development|prevalence|success)|as (?:the|a) (?:prevalence|result of the rapid)|despite|although|while|however|yet|but|unfortunately|existing|previous|prior|traditional|conventional|most (?:existing|current|prior|previous)|many|a (?:key|major|fundamental|central|common|critical) (?:challenge|problem|issue|question|limitation)|one (?:key|major|of the)|in the era of)\b|\b(?:ha(?:ve|s) (?:\w+ )?(?:shown|demonstrated|achieved|improved|become|gained|emerged|attracted|received|revolutioni[sz]ed|garnered|made|witnessed|seen)|emerges? as|(?:is|are) emerging|(?:remains?|remained) (?:a |an )?(?:\w+ )?(?:challenge|challenging|open|unclear|unexplored|underexplored|poorly understood|elusive|limited|difficult|unknown)|(?:is|are) (?:a |an )?(?:crucial|fundamental|important|essential|key|critical|central|pivotal|promising|popular|widely used|increasingly)\b|little is known|(?:suffer|suffers) from|(?:has|have) been (?:widely|extensively|increasingly)|gaining (?:importance|attention|popularity)|growing (?:interest|attention|body)|(?:pose|poses) (?:a |significant )?challenges?|hinder(?:s|ing)?)\b/i;

/**
 * A quantity: a percentage, a multiple, points, a speed-up, or a decimal number; a bare small
 * integer ("three tasks", "2 datasets") and a model's name ("GPT-4", "Llama2") are not figures.
 */
const FIGURE =
  /(?<![\w.-])\d+(?:[.,]\d+)?\s*(?:%|percent\b|p\.?\s?p\.?(?!\w)|(?:percentage )?points?\b|[x×](?![a-z])|-?fold\b|times\b)|(?<![\w.-])\d+\.\d+(?![\w.-]*[a-z])|\b(?:twice|half|double[sd]?|tripl(?:es|ed)|an order of magnitude|orders of magnitude)\b|(?<![\w.-])\d+(?:[.,]\d+)?\s*(?:thousand|million|billion|trillion)\b|(?<![\w.-])\d{2,}(?:,\d{3})*\s*(?:[kKmMbB]\b|tokens|hours|GPU|samples|examples|pairs|instances|papers|questions|tasks|languages|models|datasets|parameters)/;

/** Closing remarks: hopes and calls to action say nothing about what was found. */
const CLOSING =
  /^(?:we|the authors) (?:hope|believe|envision|anticipate|call for|advocate|encourage|invite|expect)\b|\b(?:future (?:work|research|directions?)|will be (?:made )?(?:publicly )?(?:available|released))\b/i;

/** True when the sentence states a quantity. */
export function hasFigure(sentence: string): boolean {
  return FIGURE.test(sentence);
}

/** The role of sentence `index` of an abstract with `count` sentences. */
export function sentenceRole(sentence: string, index: number, count: number): SentenceRole {
  if (CLOSING.test(sentence) && !hasFigure(sentence)) return 'setup';
  const setup = SETUP.test(sentence);
  if (FINDING.test(sentence) && !/^(?:however|despite|although|while|yet|but)\b/i.test(sentence)) return setup && !hasFigure(sentence) && index === 0 ? 'setup' : 'finding';
  if (METHOD.test(sentence) || NAMED_METHOD.test(sentence)) return 'method';
  if (hasFigure(sentence) && index > 0) return 'finding';
  // The opening sentence of an abstract of several is background more often than not.
  if (setup || (index === 0 && count > 3)) return 'setup';
  return 'other';
}
