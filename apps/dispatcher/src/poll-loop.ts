/** After errors in a row the loop waits longer, up to this: a database outage is not hammered every second. */
const MAX_ERROR_BACKOFF_MS = 30_000;

/**
 * Runs `step` every `intervalMs`, and again at once while it answers that more work is waiting. An error is
 * reported and the loop goes on, waiting twice as long after each error in a row (up to 30 s). The stop
 * function waits for the step in flight.
 */
export function startPollLoop(
  step: () => Promise<boolean>,
  intervalMs: number,
  onError: (error: Error) => void,
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let errors = 0;
  const tick = () => {
    running = (async () => {
      let more = false;
      try {
        more = await step();
        errors = 0;
      } catch (error) {
        errors += 1;
        onError(error as Error);
      }
      const wait =
        errors > 0 ? Math.min(MAX_ERROR_BACKOFF_MS, intervalMs * 2 ** errors) : more ? 0 : intervalMs;
      if (!stopped) timer = setTimeout(tick, wait).unref();
    })();
  };
  timer = setTimeout(tick, 0).unref();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
