import { type AttemptRecord, type Database, recordAttempts } from "@hookrelay/db";

export interface GroupCommitOptions {
  /** Write as soon as this many attempts are waiting. */
  maxBatch?: number;
  /** …or once the oldest has waited this long. */
  maxWaitMs?: number;
}

/**
 * Group commit for attempt recording: attempts finishing within a few milliseconds of each other are
 * written in one transaction (a handful of statements instead of three per attempt). `record` resolves
 * only once its attempt is durably committed, so a job is still never acknowledged before its attempt is
 * recorded. If a batch's write fails, its attempts are written one by one, so only an attempt whose own
 * write fails sees the error (and its job is retried).
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
    const write = recordAttempts(
      this.#db,
      batch.map((entry) => entry.record),
    ).then(
      () => {
        for (const entry of batch) entry.resolve();
      },
      async (error: unknown) => {
        if (batch.length === 1) batch[0]?.reject(error);
        else
          for (const entry of batch)
            await recordAttempts(this.#db, [entry.record]).then(entry.resolve, entry.reject);
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
