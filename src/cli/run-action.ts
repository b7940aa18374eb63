/** Shared by every command: one clear error line and a non-zero exit, never a stack trace (unless GLON_DEBUG=1). */
export function runAction<A extends unknown[]>(action: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    try {
      await action(...args);
    } catch (err) {
      const error = err as Error;
      if (process.env.GLON_DEBUG) console.error(error);
      else console.error(`glon: error: ${error?.message ?? String(err)}`);
      process.exitCode = 1;
    }
  };
}
