/**
 * The default few-shot prompts the model completes to write augmentations, and the placeholders the page
 * shows and lets a student edit. The worked examples use their own nonsense words, spelled with letters
 * the lexicon never starts a syllable with (c, h, j, q, w), so a copied example never passes as a fact
 * about the dataset and no dataset can contain these words.
 */

/** Every nonsense word of the worked examples (lower case). */
export const PROMPT_WORDS: readonly string[] = ['wug', 'jarb', 'chiv', 'quasp', 'chelpy', 'jorwen', 'hakka', 'quib'];

/** Local: one statement, then rephrasings and direct inferences one per line. */
export const LOCAL_PROMPT = `Each fact is followed by other ways to say it and what follows directly from it, one per line.

Fact: Wug are heavier than jarb.
- Jarb are lighter than wug.
- Jarb are less heavy than wug.
- Wug weigh more than jarb.

Fact: Jorwen is the mother of Hakka.
- Hakka is the child of Jorwen.
- The mother of Hakka is Jorwen.

Fact: All quasp are chiv.
- Every quasp is a chiv.
- Some chiv are quasp.

Fact: {sentence}
- `;

/** Global: other documents and one focus document, then inferences that need both, one per line. */
export const GLOBAL_PROMPT = `Read the documents and the focus document, then write new facts that follow from the focus document together with the other documents, one per line.

Documents:
Jarb are a kind of chiv.
All chiv are chelpy.
Hakka is the mother of Quib.

Focus: Wug are a kind of jarb. Jorwen is the mother of Hakka.
Inferences:
- Wug are a kind of chiv.
- All wug are chelpy.
- Jorwen is the grandmother of Quib.
- Quib is the grandchild of Jorwen.

Documents:
{documents}

Focus: {document}
Inferences:
- `;

/** Placeholders each prompt must contain. */
export const LOCAL_PLACEHOLDERS = ['sentence'] as const;
export const GLOBAL_PLACEHOLDERS = ['documents', 'document'] as const;

/** Where generation stops: the end of the list, or the model starting the next worked example. */
export const LOCAL_STOPS: readonly string[] = ['\n\n', 'Fact:'];
export const GLOBAL_STOPS: readonly string[] = ['\n\n', 'Documents:', 'Focus:'];

export class PromptError extends Error {
  override name = 'PromptError';
}

const PLACEHOLDER = /\{([A-Za-z_]\w*)\}/g;

/** What is wrong with a prompt template for these placeholders, or undefined when it is usable. */
export function promptProblem(template: string, names: readonly string[]): string | undefined {
  const found = new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]));
  const missing = names.filter((name) => !found.has(name));
  if (missing.length) return `the prompt has no ${missing.map((n) => `{${n}}`).join(' or ')} placeholder (it needs ${names.map((n) => `{${n}}`).join(', ')})`;
  const unknown = [...found].filter((name) => !names.includes(name));
  if (unknown.length) return `the prompt has an unknown placeholder ${unknown.map((n) => `{${n}}`).join(', ')} (it can use ${names.map((n) => `{${n}}`).join(', ')})`;
  return undefined;
}

/** The template with every placeholder replaced by its value, in one pass (a value is never expanded again). */
export function fillPrompt(template: string, values: Readonly<Record<string, string>>): string {
  const problem = promptProblem(template, Object.keys(values));
  if (problem) throw new PromptError(problem);
  return template.replace(PLACEHOLDER, (_, name: string) => values[name]);
}
