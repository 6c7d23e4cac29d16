import { type AttemptRecord, type Database, postgresErrorCode, recordAttempts } from "@hookrelay/db";

export interface GroupCommitOptions {
  /** Write as soon as this many attempts are waiting. */
  maxBatch?: number;
  /** …or once the oldest has waited this long. */
  maxWaitMs?: number;
}

/**
 * Waits between tries of a write that did not reach PostgreSQL. An attempt that was sent but not recorded
 * is sent again (its job is retried): right after an outage the pools reconnect, and a write failing then
 * would cost a duplicate at the receiver, so it is tried again for a few seconds first. Writing an attempt
 * twice is harmless: one already recorded is skipped.
 */
export const UNREACHABLE_RETRY_WAITS_MS = [250, 500, 1_000, 2_000];

/**
 * The write never reached PostgreSQL, or the connection broke under it: no SQLSTATE from the server (a
 * connect or read timeout, a reset), a connection exception (08…) or the server shutting down (57P0…). A
 * statement PostgreSQL refused (a constraint, a timeout of its own) or a bug in this process is not retried.
 */
export function unreachable(error: unknown): boolean {
  const code = postgresErrorCode(error);
  if (code !== undefined) return /^(08|57P0)/.test(code);
  return !(error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError);
}

/** `write`, tried again after each of `waitsMs` while it fails as `unreachable`. */
export async function whileUnreachable<T>(
  write: () => Promise<T>,
  waitsMs: readonly number[] = UNREACHABLE_RETRY_WAITS_MS,
  sleep: (ms: number) => Promise<unknown> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let tried = 0; ; tried++) {
    try {
      return await write();
    } catch (error) {
      const wait = waitsMs[tried];
      if (wait === undefined || !unreachable(error)) throw error;
      await sleep(wait);
    }
  }
}

/**
 * Group commit for attempt recording: attempts finishing within a few milliseconds of each other are
 * written in one transaction (a handful of statements instead of three per attempt). `record` resolves
 * only once its attempt is durably committed, so a job is still never acknowledged before its attempt is
 * recorded. A write that did not reach PostgreSQL is tried again for a few seconds (whileUnreachable). If a
 * batch's write fails anyway, its attempts are written one by one, so only an attempt whose own write fails
 * sees the error (and its job is retried).
 */
export class AttemptRecorder {
  readonly #db: Database;
  readonly #maxBatch: number;
  readonly #maxWaitMs: number;
  #waiting: Array<{ record: AttemptRecord; resolve: () => void; reject: (error: unknown) => void }> = [];
  #timer: NodeJS.Timeout | undefined;
  #writes = new Set<Promise<void>>();

  constructor(db: Database, { maxBatch = 200, maxWaitMs = 5 }: GroupCommitOptions = {}) {
    this.#db = db;
    this.#maxBatch = maxBatch;
    this.#maxWaitMs = maxWaitMs;
  }

  record(record: AttemptRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ record, resolve, reject });
      if (this.#waiting.length >= this.#maxBatch) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#maxWaitMs);
    });
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length === 0) return;
    const write = whileUnreachable(() =>
      recordAttempts(
        this.#db,
        batch.map((entry) => entry.record),
      ),
    ).then(
      () => {
        for (const entry of batch) entry.resolve();
      },
      async (error: unknown) => {
        if (batch.length === 1) batch[0]?.reject(error);
        else
          for (const entry of batch)
            await whileUnreachable(() => recordAttempts(this.#db, [entry.record])).then(
              entry.resolve,
              entry.reject,
            );
      },
    );
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
  }

  /** Writes whatever is waiting and resolves when every write has finished. */
  async close(): Promise<void> {
    this.#flush();
    await Promise.all(this.#writes);
  }
}
