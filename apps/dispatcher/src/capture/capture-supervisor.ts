import { listCapturableSources } from "@hookrelay/db";
import { type CaptureContext, SourceCapture } from "./source-capture.js";

/**
 * Runs one SourceCapture per recorded source in this dispatcher (each either capturing or standing by for
 * the source's lock) and follows the sources table: new sources start, deleted ones stop, a changed
 * connection string restarts, enabled/disabled is passed on. Returns a stop function.
 */
export function startCaptureSupervisor(ctx: CaptureContext): () => Promise<void> {
  const running = new Map<string, { capture: SourceCapture; databaseUrlCiphertext: string }>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function refresh(): Promise<void> {
    const sources = await listCapturableSources(ctx.db);
    const seen = new Set<string>();
    for (const source of sources) {
      seen.add(source.id);
      const current = running.get(source.id);
      if (current && current.databaseUrlCiphertext !== source.databaseUrlCiphertext) {
        running.delete(source.id);
        await current.capture.stop();
      } else if (current) {
        current.capture.update(source);
        continue;
      }
      if (stopped) return;
      running.set(source.id, {
        capture: new SourceCapture(ctx, source),
        databaseUrlCiphertext: source.databaseUrlCiphertext,
      });
    }
    for (const [id, { capture }] of running) {
      if (seen.has(id)) continue;
      running.delete(id);
      await capture.stop();
    }
  }

  let cycle: Promise<void> = Promise.resolve();
  const tick = () => {
    cycle = refresh()
      .catch((error) => ctx.logger.warn({ err: (error as Error).message }, "could not list database sources"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, ctx.settings.pollIntervalMs);
      });
  };
  tick();

  return async () => {
    stopped = true;
    clearTimeout(timer);
    await cycle;
    await Promise.all([...running.values()].map(({ capture }) => capture.stop()));
    running.clear();
  };
}
