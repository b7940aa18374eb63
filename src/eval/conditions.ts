/**
 * What each evaluation condition puts before a test prompt. The model that scores is chosen by the
 * caller, so fine-tuned conditions reuse these rows with an adapted model.
 */
export interface ConditionInfo {
  description: string;
  /** Whether the dataset's training documents are placed in the context. */
  trainingInContext: boolean;
}

export const CONDITIONS = {
  base: { description: 'the test prompt alone: what the model knows without the facts', trainingInContext: false },
  icl: { description: 'in-context learning: the training documents, then the test prompt', trainingInContext: true },
} as const satisfies Record<string, ConditionInfo>;

export type Condition = keyof typeof CONDITIONS;

export function conditionInfo(name: string): ConditionInfo {
  if (!Object.hasOwn(CONDITIONS, name))
    throw new Error(`unknown condition "${name}" (one of: ${Object.keys(CONDITIONS).join(', ')})`);
  return CONDITIONS[name as Condition];
}
