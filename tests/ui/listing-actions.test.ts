import { describe, expect, it } from 'vitest';
import { DEMO_EXPERIMENT } from '../../src/experiment/canonical.ts';
import type { ExperimentRecord } from '../../src/experiment/store.ts';
import { deletable, resumable } from '../../src/ui/storage/listing-actions.ts';

const record = (status: ExperimentRecord['status']): ExperimentRecord => ({
  key: 'k',
  spec: DEMO_EXPERIMENT,
  status,
  stage: 'train',
  results: [],
  datasets: [],
  augmentations: [],
  adapters: [],
  startedAt: '2026-12-04T00:00:00.000Z',
  updatedAt: '2026-12-04T00:00:00.000Z',
});

describe('the Saved list', () => {
  it('offers to resume a run that stopped before its end, never one finished or still going', () => {
    expect(resumable({ record: record('running'), interrupted: true })).toBe(true);
    expect(resumable({ record: record('failed'), interrupted: false })).toBe(true);
    expect(resumable({ record: record('cancelled'), interrupted: false })).toBe(true);
    expect(resumable({ record: record('done'), interrupted: false })).toBe(false);
    expect(resumable({ record: record('running'), interrupted: false })).toBe(false);
  });

  it('deletes anything but a run in progress in an open tab', () => {
    expect(deletable({ record: record('running'), interrupted: false })).toBe(false);
    expect(deletable({ record: record('running'), interrupted: true })).toBe(true);
    for (const status of ['done', 'failed', 'cancelled'] as const) expect(deletable({ record: record(status), interrupted: false })).toBe(true);
  });
});
