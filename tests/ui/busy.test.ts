import { describe, expect, it } from 'vitest';
import { WorkerBusy } from '../../src/ui/busy.svelte.ts';

describe('WorkerBusy', () => {
  it('is free until a run that uses the model starts, and again once its reply comes', () => {
    const busy = new WorkerBusy();
    expect(busy.held).toBe(false);
    busy.start(1, 'run-experiment');
    expect(busy.held).toBe(true);
    expect(busy.running('run-experiment')).toBe(true);
    expect(busy.running('load')).toBe(false);
    expect(busy.reason).toBe('a run is going');
    busy.end(1);
    expect(busy.held).toBe(false);
    expect(busy.reason).toBeUndefined();
  });

  it('is not held by the context probe, which gives way to any run, nor by reads of the store', () => {
    const busy = new WorkerBusy();
    for (const [request, type] of [[1, 'probe'], [2, 'list-models'], [3, 'list-experiments'], [4, 'export-bundle']] as const) busy.start(request, type);
    expect(busy.held).toBe(false);
  });

  it('stays held while any of several runs is unanswered, and names the oldest', () => {
    const busy = new WorkerBusy();
    busy.start(1, 'load');
    busy.start(2, 'run-experiment');
    expect(busy.reason).toBe('a model is loading');
    busy.end(1);
    expect(busy.held).toBe(true);
    expect(busy.reason).toBe('a run is going');
    busy.end(7); // a reply to a command that held nothing
    busy.end(2);
    expect(busy.held).toBe(false);
  });
});
