/**
 * The caption a chart carries out of the lab (a downloaded figure, a slide): what was measured, on what,
 * with which model and seeds, so the figure still says it away from the page.
 */
export interface FigureSubject {
  kind: string;
  preset?: string;
  /** Dataset parameters that differ from the preset. */
  params?: Readonly<Record<string, unknown>>;
  model: string;
  dtype: string;
  seeds: readonly number[];
  conditions: readonly string[];
  rule: 'acc' | 'acc_norm';
}

export function figureCaption(s: FigureSubject): string {
  const params = Object.entries(s.params ?? {}).map(([name, value]) => `${name} ${value}`);
  const made = [s.preset, ...params].filter(Boolean).join(', ');
  return [
    `${s.kind} dataset${made ? ` (${made})` : ''}, seed${s.seeds.length === 1 ? '' : 's'} ${s.seeds.join(', ')}`,
    `${s.model.split('/').pop()} (${s.dtype})`,
    `conditions: ${s.conditions.join(', ')}`,
    `bars: accuracy (${s.rule}${s.seeds.length > 1 ? ', mean over seeds' : ''}); whiskers: 95% interval; dashed line: chance`,
    'glon',
  ].join(' · ');
}
