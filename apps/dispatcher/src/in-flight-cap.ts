/** Wakes a parked (delayed) job early: BullMQ's promote. */
export type PromoteJob = (jobId: string) => Promise<void>;

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
 * attempt — and woken (promoted) in the order it arrived when one of that webhook's deliveries finishes
 * here. Should a wake-up be lost (this process dies; the job went to another dispatcher meanwhile), the
 * parked job wakes by itself after its sleep, which grows with its place in the line so a long backlog
 * does not spin.
 *
 * The count is per process, not global, on purpose: it protects this process's slots, costs no Redis
 * round trip per delivery, and a dispatcher that dies takes its counts with it (nothing to leak).
 */
export class WebhookInFlightCap {
  readonly #perWebhook: number;
  readonly #running = new Map<string, number>();
  /** Per webhook, parked job ids in arrival order (a Set keeps insertion order). */
  readonly #parked = new Map<string, Set<string>>();
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

  /** Takes one of the webhook's places; false when all are taken. */
  tryAcquire(webhookId: string): boolean {
    const running = this.#running.get(webhookId) ?? 0;
    if (running >= this.#perWebhook) return false;
    this.#running.set(webhookId, running + 1);
    return true;
  }

  /** Gives a place back and wakes the webhook's longest-parked delivery. */
  release(webhookId: string): void {
    const running = (this.#running.get(webhookId) ?? 1) - 1;
    if (running > 0) this.#running.set(webhookId, running);
    else this.#running.delete(webhookId);
    void this.#wakeNext(webhookId);
  }

  /**
   * How long a delivery about to be parked should sleep at most: longer the further back it is in this
   * webhook's line. Call before `parked`.
   */
  wakeAfterMs(webhookId: string): number {
    const place = this.#parked.get(webhookId)?.size ?? 0;
    return Math.min(PARKED_WAKE_CAP_MS, PARKED_WAKE_STEP_MS * (place + 1));
  }

  /**
   * Records a job that has been moved to delayed because its webhook was full. A job parked again keeps
   * its place. A place that freed while it was being moved wakes it at once.
   */
  parked(webhookId: string, jobId: string): void {
    let line = this.#parked.get(webhookId);
    if (!line) {
      line = new Set();
      this.#parked.set(webhookId, line);
    }
    if (line.size < PARKED_LINE_LIMIT) line.add(jobId);
    if (this.hasRoom(webhookId)) void this.#wakeNext(webhookId);
  }

  /** Deliveries parked in this process, per webhook (for metrics and tests). */
  parkedCount(webhookId?: string): number {
    if (webhookId !== undefined) return this.#parked.get(webhookId)?.size ?? 0;
    let total = 0;
    for (const line of this.#parked.values()) total += line.size;
    return total;
  }

  async #wakeNext(webhookId: string): Promise<void> {
    const line = this.#parked.get(webhookId);
    // A few tries: entries whose job already woke by itself, went elsewhere or is gone fail to promote.
    for (let tries = 0; line && line.size > 0 && tries < 5; tries++) {
      const jobId = line.values().next().value as string;
      line.delete(jobId);
      if (line.size === 0) this.#parked.delete(webhookId);
      try {
        await this.#promote(jobId);
        return;
      } catch (error) {
        // Expected when the job woke by itself or is gone; anything else is worth a log line.
        if (!/not in the delayed state|Missing key/.test((error as Error).message ?? ""))
          this.#onWakeError(error);
      }
    }
  }
}
