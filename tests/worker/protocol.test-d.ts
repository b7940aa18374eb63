// Type-level: the reply map types both sides of the worker protocol (checked by tsc and by vitest's typecheck).
import { expectTypeOf, test } from 'vitest';
import type { EvalResult } from '../../src/eval/result.ts';
import { REPLY_OF, type CommandOf, type Handlers, type Reply, type ReplyBody, type WorkerEvent } from '../../src/worker/protocol.ts';

test("each run command's reply type follows from the command", () => {
  expectTypeOf<Reply<'load'>>().toEqualTypeOf<Extract<WorkerEvent, { type: 'loaded' }>>();
  expectTypeOf<Reply<'run-experiment'>>().toEqualTypeOf<Extract<WorkerEvent, { type: 'experiment-done' }>>();
  expectTypeOf<ReplyBody<'export-bundle'>>().toEqualTypeOf<{ text: string }>();
  expectTypeOf(REPLY_OF['run-experiment']).toEqualTypeOf<'experiment-done'>();
});

test('a dispatcher without a handler for every run command does not compile', () => {
  expectTypeOf<Omit<Handlers<void>, 'mark-failed'>>().not.toExtend<Handlers<void>>();
  expectTypeOf<Handlers<void>>().toExtend<Omit<Handlers<void>, 'mark-failed'>>();
});

test("a handler must return its own command's reply", () => {
  type LoadAnsweredWithAResult = (command: CommandOf<'load'>, run: void) => Promise<{ result: EvalResult }>;
  expectTypeOf<LoadAnsweredWithAResult>().not.toExtend<Handlers<void>['load']>();
  expectTypeOf<Handlers<void>['load']>().toExtend<(command: CommandOf<'load'>, run: void) => Promise<ReplyBody<'load'>>>();
});
