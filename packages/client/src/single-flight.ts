/**
 * One run at a time, shared: callers that arrive while a run is in flight get
 * its promise instead of starting another. A refresh token is single-use and
 * rotating, so a second parallel use would look like a stolen token to the server.
 */
export interface SingleFlight<T> {
  run(): Promise<T>;
  /** Resolves once no run is in flight (whatever its outcome). */
  settled(): Promise<void>;
}

export function singleFlight<T>(task: () => Promise<T>): SingleFlight<T> {
  let inFlight: Promise<T> | undefined;
  return {
    run() {
      if (!inFlight) {
        inFlight = task().finally(() => {
          inFlight = undefined;
        });
      }
      return inFlight;
    },
    async settled() {
      await inFlight?.then(
        () => undefined,
        () => undefined,
      );
    },
  };
}
