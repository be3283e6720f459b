// What the demo must undo however it ends: run in reverse order once, awaited normally, or synchronously from an 'exit' handler.

export interface Cleanup {
  /** `undo` when the demo ends; `undoNow` (synchronous, idempotent) if the process exits first. */
  defer(undo: () => Promise<void>, undoNow: () => void): void;
  /** Runs every deferred undo, last first, once (a second call waits for the first); rethrows the first failure. */
  run(): Promise<void>;
  /** For process.on('exit'): the synchronous undos of whatever is not yet undone. */
  runNow(): void;
}

export function createCleanup(): Cleanup {
  const pending: { undo: () => Promise<void>; undoNow: () => void }[] = [];
  let running: Promise<void> | undefined;
  const runAll = async () => {
    let failure: Error | undefined;
    for (let next = pending.at(-1); next !== undefined; next = pending.at(-1)) {
      try {
        await next.undo();
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
        // Why still the synchronous one: a failed graceful stop must not leave a process behind.
        next.undoNow();
      }
      // Removed only once done, so an exit during the undo still runs its synchronous twin.
      pending.pop();
    }
    if (failure !== undefined) throw failure;
  };
  return {
    defer(undo, undoNow) {
      pending.push({ undo, undoNow });
    },
    run: () => (running ??= runAll()),
    runNow() {
      for (const item of pending.reverse()) {
        try {
          item.undoNow();
        } catch {
          // Nothing more can be done while the process exits; the others still run.
        }
      }
      pending.length = 0;
    },
  };
}
