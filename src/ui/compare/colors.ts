/**
 * One color per condition, the same in every chart of the lab, so base reads as base everywhere; runs
 * that share a condition take the spares.
 */
export const CONDITION_COLORS: Readonly<Record<string, string>> = {
  base: '#9aa0a6',
  icl: '#3b5bdb',
  ft: '#1e9e5a',
  'ft+local': '#d9822b',
  'ft+global': '#8e44ad',
  'ft+local+global': '#16a085',
  'ft+oracle': '#b08d00',
  'ft-split': '#c0392b',
};
const SPARE_COLORS = ['#5d6d7e', '#e84393', '#7f6000', '#2d98da'];

/** A color per entry: its condition's unless an earlier entry took it. */
export function colorsFor(conditions: readonly string[]): string[] {
  let spare = 0;
  const used = new Set<string>();
  return conditions.map((condition) => {
    const own = CONDITION_COLORS[condition];
    const color = own && !used.has(own) ? own : SPARE_COLORS[spare++ % SPARE_COLORS.length];
    used.add(color);
    return color;
  });
}
