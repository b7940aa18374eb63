import { expect, test } from 'vitest';
import { REPLY_OF, isFinal, type WorkerEvent } from '../../src/worker/protocol.ts';

test("a command's reply, cancelled and error end a request; progress reports do not", () => {
  for (const type of [...Object.values(REPLY_OF), 'cancelled', 'error']) expect(isFinal({ type, request: 1 } as WorkerEvent), type).toBe(true);
  for (const type of ['load-progress', 'probe-progress', 'progress', 'train-start', 'train-step', 'train-paused', 'train-end', 'generation', 'experiment-event'])
    expect(isFinal({ type, request: 1 } as WorkerEvent), type).toBe(false);
});
