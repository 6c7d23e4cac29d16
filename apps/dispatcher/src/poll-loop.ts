/**
 * Runs `step` every `intervalMs`, and again at once while it answers that more work is waiting. An error is
 * reported and the loop goes on. The stop function waits for the step in flight.
 */
export function startPollLoop(
  step: () => Promise<boolean>,
  intervalMs: number,
  onError: (error: Error) => void,
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      let more = false;
      try {
        more = await step();
      } catch (error) {
        onError(error as Error);
      }
      if (!stopped) timer = setTimeout(tick, more ? 0 : intervalMs).unref();
    })();
  };
  timer = setTimeout(tick, 0).unref();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
