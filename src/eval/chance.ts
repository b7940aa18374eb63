/** Chance: the accuracy of guessing uniformly among each item's options, averaged over the items. */
export function chanceLevel(optionCounts: readonly number[]): number {
  return optionCounts.reduce((sum, k) => sum + 1 / k, 0) / optionCounts.length;
}
