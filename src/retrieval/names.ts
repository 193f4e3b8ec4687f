/**
 * Name-like tokens in a question: acronyms ("MIGU", "LLMs"), mixed case ("LoRA") and tokens with
 * digits ("GPT-2", "T5", "3D"). The retriever lifts the few papers that contain one; the coverage
 * rule declines a question naming something the collection never mentions.
 */
export const NAME_LIKE = /^(?:[A-Za-z][a-z]*[A-Z][A-Za-z]*|[A-Z]{2,}[a-z]*s?|[A-Za-z]+-?\d[\w.]*|\d+[A-Za-z][\w-]*)$/;

/** Sizes and amounts ("7B", "100k", "4-8B", "30%") look like names but are not. */
export const SIZE = /^\d+(?:\.\d+)?[kKmMbBtT%]?(?:-\d+(?:\.\d+)?[kKmMbBtT%]?)?$/;

/** The question's word tokens as written, hyphens and dots inside kept, a trailing "'s" dropped. */
export function wordTokens(text: string): string[] {
  return (text.match(/[A-Za-z0-9][A-Za-z0-9.'’-]*[A-Za-z0-9]|[A-Za-z]/g) ?? []).map((t) => t.replace(/['’]s$/, ''));
}

/** The distinct name-like tokens of a text, in order. */
export function nameTokens(text: string): string[] {
  return [...new Set(wordTokens(text).filter((t) => NAME_LIKE.test(t) && !SIZE.test(t)))];
}
