/**
 * What each evaluation condition puts before a test prompt, and whether it is scored by the model with a
 * LoRA adapter trained on the documents. The caller loads that model; evaluate() only builds the context.
 */
export interface ConditionInfo {
  description: string;
  /** Whether the dataset's training documents are placed in the context. */
  trainingInContext: boolean;
  /** Whether the scoring model carries an adapter fine-tuned on the training documents. */
  adapted: boolean;
}

export const CONDITIONS = {
  base: { description: 'the test prompt alone: what the model knows without the facts', trainingInContext: false, adapted: false },
  icl: { description: 'in-context learning: the training documents, then the test prompt', trainingInContext: true, adapted: false },
  ft: {
    description: 'fine-tuning: the test prompt alone, scored by the model with a LoRA adapter trained on the documents',
    trainingInContext: false,
    adapted: true,
  },
} as const satisfies Record<string, ConditionInfo>;

export type Condition = keyof typeof CONDITIONS;

export function conditionInfo(name: string): ConditionInfo {
  if (!Object.hasOwn(CONDITIONS, name))
    throw new Error(`unknown condition "${name}" (one of: ${Object.keys(CONDITIONS).join(', ')})`);
  return CONDITIONS[name as Condition];
}
