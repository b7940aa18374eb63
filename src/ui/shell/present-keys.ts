/** How a presenter steps through the lab in presentation mode: the keys a clicker sends, and the arrows. */
const MOVES: Record<string, 1 | -1> = { PageDown: 1, ArrowRight: 1, PageUp: -1, ArrowLeft: -1 };

/** The step a key moves to from step `index` of `count`, or undefined when the key is not for stepping. */
export function presentStep(key: string, index: number, count: number): number | undefined {
  const move = MOVES[key];
  if (move === undefined) return undefined;
  return Math.min(count - 1, Math.max(0, index + move));
}
