/**
 * Wakes a parked (delayed) job early, BullMQ's promote — only if it is still delayed until `parkedUntil`
 * (parked by us, not since run elsewhere and delayed again for a retry or a rate slot). False otherwise.
 */
export type PromoteJob = (jobId: string, parkedUntil: number) => Promise<boolean>;

/** The longest a parked delivery sleeps before it looks for room again by itself. */
export const PARKED_WAKE_CAP_MS = 5 * 60_000;
/** Each place further back in the line sleeps this much longer (place 1: 2 s, place 150 on: 5 minutes). */
const PARKED_WAKE_STEP_MS = 2_000;
/** Parked job ids remembered per webhook; those beyond it wake by themselves (memory stays bounded). */
export const PARKED_LINE_LIMIT = 10_000;
/**
 * One slow endpoint must not take every slot of a dispatcher: at most `perWebhook` deliveries to one
 * webhook run at once in this process (the rest of DISPATCHER_CONCURRENCY stays free for other webhooks).
 * A delivery that finds its webhook full is parked — moved to BullMQ's delayed set, which is not an
 * attempt — and when one of that webhook's deliveries finishes here, the longest-parked one is woken
 * (promoted to the queue's wait list, behind what is already waiting there). Should a wake-up be lost
 * (this process dies), a parked job wakes by itself after its sleep, which grows with its place in the line
 * so a long backlog does not spin.
 *
 * Counts are per process, not global, on purpose: they protect this process's slots, cost no Redis round
 * trip per delivery, and a dispatcher that dies takes its counts with it (nothing to leak).
 */
export class WebhookInFlightCap {
  readonly #perWebhook: number;
  readonly #running = new Map<string, number>();
  /** Per webhook, parked job ids in arrival order, with the time each was parked until. */
  readonly #parked = new Map<string, Map<string, number>>();
  readonly #promote: PromoteJob;
  readonly #onWakeError: (error: unknown) => void;

  constructor(
    perWebhook: number,
    promote: PromoteJob,
    onWakeError: (error: unknown) => void = () => undefined,
  ) {
    this.#perWebhook = perWebhook;
    this.#promote = promote;
    this.#onWakeError = onWakeError;
  }

  hasRoom(webhookId: string): boolean {
    return (this.#running.get(webhookId) ?? 0) < this.#perWebhook;
  }

  /** Takes one of the webhook's places for `jobId` (which leaves the line if parked); false when all are taken. */
  tryAcquire(webhookId: string, jobId: string | undefined): boolean {
    if (jobId !== undefined) this.#parked.get(webhookId)?.delete(jobId);
    const running = this.#running.get(webhookId) ?? 0;
    if (running >= this.#perWebhook) return false;
    this.#running.set(webhookId, running + 1);
    return true;
  }

  /**
   * Gives a place back and wakes the webhook's longest-parked delivery — unless `wake` is false (the
   * delivery giving it back is itself being parked: waking another would only park that one in turn).
   */
  release(webhookId: string, wake = true): void {
    const running = (this.#running.get(webhookId) ?? 1) - 1;
    if (running > 0) this.#running.set(webhookId, running);
    else this.#running.delete(webhookId);
    if (wake) void this.#wakeNext(webhookId);
  }

  /** How long a delivery about to be parked should sleep at most: longer the further back in line. */
  wakeAfterMs(webhookId: string): number {
    const place = this.#parked.get(webhookId)?.size ?? 0;
    return Math.min(PARKED_WAKE_CAP_MS, PARKED_WAKE_STEP_MS * (place + 1));
  }

  /**
   * Records a job moved to delayed until `parkedUntil` to wait for a place. A job parked again keeps its
   * place in line. With `wakeIfRoom`, a place that freed while it was being moved wakes the line at once.
   */
  parked(webhookId: string, jobId: string, parkedUntil: number, wakeIfRoom = true): void {
    let line = this.#parked.get(webhookId);
    if (!line) {
      line = new Map();
      this.#parked.set(webhookId, line);
    }
    if (line.has(jobId) || line.size < PARKED_LINE_LIMIT) line.set(jobId, parkedUntil);
    if (wakeIfRoom && this.hasRoom(webhookId)) void this.#wakeNext(webhookId);
  }

  /** Deliveries parked in this process for a webhook (for tests). */
  parkedCount(webhookId: string): number {
    return this.#parked.get(webhookId)?.size ?? 0;
  }

  async #wakeNext(webhookId: string): Promise<void> {
    // A few tries per freed place: entries whose job woke by itself, ran elsewhere or is gone are skipped.
    for (let tries = 0; tries < 5; tries++) {
      const line = this.#parked.get(webhookId);
      const next = line?.entries().next().value;
      if (!line || !next) return;
      const [jobId, parkedUntil] = next;
      line.delete(jobId);
      if (line.size === 0) this.#parked.delete(webhookId);
      try {
        if (await this.#promote(jobId, parkedUntil)) return;
      } catch (error) {
        // Expected when the job is gone or already out of delayed; anything else is worth a log line.
        if (!/not in the delayed state|Missing key/.test((error as Error).message ?? ""))
          this.#onWakeError(error);
      }
    }
  }
}
