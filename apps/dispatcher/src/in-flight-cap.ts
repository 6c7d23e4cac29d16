/**
 * Wakes a parked (delayed) job early, BullMQ's promote — only if it is still delayed until `parkedUntil`
 * (parked by us, not since run elsewhere and delayed again for a retry or a rate slot). False otherwise.
 */
export type PromoteJob = (jobId: string, parkedUntil: number) => Promise<boolean>;

/** The longest a parked delivery sleeps before it looks for room again by itself. */
export const PARKED_WAKE_CAP_MS = 60_000;
/** Each place further back in the line sleeps this much longer (place 1: 2 s, place 30 on: a minute). */
const PARKED_WAKE_STEP_MS = 2_000;
/** How often places free here wake parked deliveries even without a release here. */
const ROOM_CHECK_MS = 1_000;
/** How long a delivery parked by a dispatcher that is stopping sleeps: nobody here will wake it. */
const STOPPING_WAKE_MS = 1_000;
/** Parked job ids remembered per webhook; those beyond it wake by themselves (memory stays bounded). */
export const PARKED_LINE_LIMIT = 10_000;

/** A place held by one request to a webhook; give it back with `release`. */
export interface Place {
  readonly webhookId: string;
  readonly since: number;
}

interface Waiter {
  resolve: (place: Place | null) => void;
  timer?: NodeJS.Timeout;
}

interface WebhookState {
  running: Set<Place>;
  waiting: Waiter[];
}

/**
 * One slow endpoint must not take every slot of a dispatcher: at most `perWebhook` requests to one webhook
 * are in flight at once in this process (the rest of DISPATCHER_CONCURRENCY stays free for other webhooks).
 * A place is held only while the request is out — loading and recording are the same work for every
 * webhook — so a fast endpoint turns its places over in milliseconds and loses no throughput.
 *
 * A delivery that finds its webhook full waits here, first come first served, while the webhook is fast —
 * a place frees within moments — and is parked as soon as the webhook's oldest request has been out for
 * `slowMs` (a slow endpoint: waiting would only hold a dispatcher slot): moved to BullMQ's delayed set,
 * which is not an attempt, and woken (promoted) when a place frees with nobody waiting here. Should a
 * wake-up be lost (this process dies), a parked job wakes by itself after its sleep, which grows with its
 * place in the line (up to a minute) so a long backlog does not spin. A dispatcher that stops wakes its
 * whole line for the others.
 *
 * Counts are per process, not global, on purpose: they protect this process's slots, cost no Redis round
 * trip per delivery, and a dispatcher that dies takes its counts with it (nothing to leak).
 */
export class WebhookInFlightCap {
  readonly #perWebhook: number;
  readonly #webhooks = new Map<string, WebhookState>();
  /** Per webhook, parked job ids in arrival order, with the time each was parked until. */
  readonly #parked = new Map<string, Map<string, number>>();
  readonly #promote: PromoteJob;
  readonly #onWakeError: (error: unknown) => void;
  #stopping = false;

  readonly #sweep: NodeJS.Timeout;

  constructor(
    perWebhook: number,
    promote: PromoteJob,
    onWakeError: (error: unknown) => void = () => undefined,
  ) {
    this.#perWebhook = perWebhook;
    this.#promote = promote;
    this.#onWakeError = onWakeError;
    // Releases wake the line only where the webhook's requests run; when they all run in another
    // dispatcher now, the places free here would otherwise wait for the parked jobs' own sleep.
    this.#sweep = setInterval(() => this.#wakeWhereRoom(), ROOM_CHECK_MS);
    this.#sweep.unref();
  }

  #wakeWhereRoom(): void {
    for (const webhookId of [...this.#parked.keys()]) {
      const state = this.#webhooks.get(webhookId);
      const room = this.#perWebhook - (state?.running.size ?? 0) - (state?.waiting.length ?? 0);
      for (let n = 0; n < room; n++) void this.#wakeNext(webhookId);
    }
  }

  /** False when the webhook is full and its oldest request has been out for `slowMs` or more. */
  mayHaveRoom(webhookId: string, slowMs: number, now = Date.now()): boolean {
    const state = this.#webhooks.get(webhookId);
    if (!state || state.running.size < this.#perWebhook) return true;
    return now - oldest(state.running) < slowMs;
  }

  /**
   * A place for a request to the webhook: at once when one is free, else once one frees while the webhook
   * is fast; null (park) as soon as its oldest request has been out for `slowMs`. The job leaves the
   * parked line.
   */
  acquire(webhookId: string, jobId: string | undefined, slowMs: number): Promise<Place | null> | Place {
    if (jobId !== undefined) this.#parked.get(webhookId)?.delete(jobId);
    const state = this.#state(webhookId);
    if (state.running.size < this.#perWebhook) return this.#take(webhookId, state);
    if (!this.mayHaveRoom(webhookId, slowMs)) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = { resolve };
      // Looks again when the oldest request turns slow: still fast, it keeps its turn; slow, it parks.
      const check = () => {
        const left = slowMs - (Date.now() - oldest(state.running));
        if (left > 0) {
          waiter.timer = setTimeout(check, left);
          return;
        }
        state.waiting.splice(state.waiting.indexOf(waiter), 1);
        this.#forgetIfIdle(webhookId, state);
        resolve(null);
      };
      state.waiting.push(waiter);
      check();
    });
  }

  /** Gives a place back: to the first delivery waiting here, else it wakes the longest-parked one. */
  release(place: Place): void {
    const state = this.#webhooks.get(place.webhookId);
    if (!state?.running.delete(place)) return;
    const waiter = state.waiting.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(this.#take(place.webhookId, state));
      return;
    }
    this.#forgetIfIdle(place.webhookId, state);
    void this.#wakeNext(place.webhookId);
  }

  /** How long a delivery about to be parked should sleep at most: longer the further back in line. */
  wakeAfterMs(webhookId: string): number {
    if (this.#stopping) return STOPPING_WAKE_MS;
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
    const running = this.#webhooks.get(webhookId)?.running.size ?? 0;
    if (wakeIfRoom && running < this.#perWebhook) void this.#wakeNext(webhookId);
  }

  /**
   * The dispatcher is stopping: every delivery it parked is woken for the others to take, and any parked
   * from now on sleeps only a moment.
   */
  async wakeAll(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#sweep);
    const lines = [...this.#parked.entries()];
    this.#parked.clear();
    for (const [, line] of lines)
      for (const [jobId, parkedUntil] of line)
        await this.#promote(jobId, parkedUntil).catch((error: unknown) => {
          if (!/not in the delayed state|Missing key/.test((error as Error).message ?? ""))
            this.#onWakeError(error);
        });
  }

  /** Deliveries parked in this process for a webhook (for tests). */
  parkedCount(webhookId: string): number {
    return this.#parked.get(webhookId)?.size ?? 0;
  }

  #state(webhookId: string): WebhookState {
    let state = this.#webhooks.get(webhookId);
    if (!state) {
      state = { running: new Set(), waiting: [] };
      this.#webhooks.set(webhookId, state);
    }
    return state;
  }

  #take(webhookId: string, state: WebhookState): Place {
    const place = { webhookId, since: Date.now() };
    state.running.add(place);
    return place;
  }

  #forgetIfIdle(webhookId: string, state: WebhookState): void {
    if (state.running.size === 0 && state.waiting.length === 0) this.#webhooks.delete(webhookId);
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

function oldest(places: Set<Place>): number {
  let since = Number.POSITIVE_INFINITY;
  for (const place of places) since = Math.min(since, place.since);
  return since;
}
