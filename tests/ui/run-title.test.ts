import { expect, it } from 'vitest';
import { DEMO_EXPERIMENT } from '../../src/experiment/canonical.ts';
import { runTitle } from '../../src/ui/experiment/run-title.ts';

it('names a run by its origin and its experiment, without saying the origin twice', () => {
  expect(runTitle('Demo', DEMO_EXPERIMENT.name)).toBe('Demo: simple reversals');
  expect(runTitle('Experiment', 'my reversals')).toBe('Experiment: my reversals');
  expect(runTitle('Resumed "demo: x"', 'demo: x')).toBe('Resumed "demo: x": demo: x');
});
