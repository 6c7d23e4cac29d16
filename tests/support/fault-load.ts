// A producer as a careful client would write one: each event carries its own `event_id`, and a request that
// fails (503 while PostgreSQL is down, a refused or cut connection while the api restarts, a timeout) is
// sent again with the same `event_id` until the api answers 202 (stored) or 200 (stored by an earlier try).
// So every event is stored exactly once, whatever the fault, and what the api acknowledged is known.

export interface ProjectAccess {
  apiUrl: string;
  id: string;
  key: string;
}

async function call(
  url: string,
  key: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export async function createProject(apiUrl: string, adminKey: string, name: string): Promise<ProjectAccess> {
  const created = await call(`${apiUrl}/v1/projects`, adminKey, "POST", { name });
  if (created.status !== 201) throw new Error(`project: ${created.status} ${JSON.stringify(created.body)}`);
  return { apiUrl, id: created.body.id, key: created.body.api_key };
}

export async function createWebhook(
  project: ProjectAccess,
  body: Record<string, unknown>,
): Promise<{ id: string }> {
  const created = await call(
    `${project.apiUrl}/v1/project/${project.id}/webhooks`,
    project.key,
    "POST",
    body,
  );
  if (created.status !== 201) throw new Error(`webhook: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

export interface LoadOptions {
  eventType: string;
  count: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Spread the events evenly at this rate (unset: as fast as the api takes them). */
  perSecond?: number;
  /** Makes the events' `event_id`s unique to this run. */
  idPrefix: string;
  /** Give up on one event after this long. */
  eventDeadlineMs?: number;
  /** Stop offering more events (those in flight still finish). */
  signal?: AbortSignal;
}

export interface LoadResult {
  /** Events acknowledged so far (grows while the load runs). */
  acknowledged: number;
  /** The api's event ids (`evt_…`) of the events, in the order they were offered. */
  eventIds: string[];
  /** Requests sent again after an error: by what went wrong (`503`, `connection`, …). */
  retries: Record<string, number>;
  startedAt: number;
  finishedAt: number;
}

export interface Load {
  /** Filled in as the events are acknowledged. */
  progress: Readonly<LoadResult>;
  /** Resolves once every event is acknowledged; rejects when one is not within its deadline. */
  done: Promise<LoadResult>;
}

/** Starts sending `count` events of `eventType` to the project, each until it is acknowledged. */
export function startLoad(project: ProjectAccess, options: LoadOptions): Load {
  const { count, concurrency, perSecond, eventDeadlineMs = 60_000 } = options;
  const eventIds: string[] = new Array(count);
  const startedAt = Date.now();
  const progress: LoadResult = { acknowledged: 0, eventIds, retries: {}, startedAt, finishedAt: 0 };
  let next = 0;
  const url = `${project.apiUrl}/v1/project/${project.id}/events`;

  const sendOne = async (n: number) => {
    const body = { event_type: options.eventType, event_id: `${options.idPrefix}-${n}`, data: { n } };
    const deadline = Date.now() + eventDeadlineMs;
    let pause = 100;
    for (;;) {
      let problem: string;
      try {
        const answer = await call(url, project.key, "POST", body);
        if (answer.status === 202 || answer.status === 200) {
          eventIds[n] = answer.body.event_id;
          progress.acknowledged++;
          return;
        }
        if (answer.status < 500)
          throw new Error(`event ${n}: ${answer.status} ${JSON.stringify(answer.body)}`);
        problem = String(answer.status);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith(`event ${n}:`)) throw error;
        problem = error instanceof Error && error.name === "TimeoutError" ? "timeout" : "connection";
      }
      if (options.signal?.aborted) throw new Error("load stopped");
      if (Date.now() > deadline) throw new Error(`event ${n} not acknowledged in ${eventDeadlineMs} ms`);
      progress.retries[problem] = (progress.retries[problem] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 1_000);
    }
  };

  const worker = async () => {
    for (;;) {
      const n = next++;
      if (n >= count || options.signal?.aborted) return;
      if (perSecond) {
        const wait = startedAt + (n * 1_000) / perSecond - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      await sendOne(n);
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
    progress.finishedAt = Date.now();
    return progress;
  });
  // Whoever awaits `done` sees the failure; an unawaited one must not crash the test process.
  done.catch(() => undefined);
  return { progress, done };
}
