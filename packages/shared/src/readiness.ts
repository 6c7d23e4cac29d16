const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("timed out")), CHECK_TIMEOUT_MS).unref(),
    ),
  ]);
}

export interface Readiness {
  ready: boolean;
  body: { status: "ready" | "unavailable"; checks: Record<string, "ok" | "unavailable"> };
}

/** Runs every probe (each bounded by a timeout); ready only when all answer. Serves /readyz in both apps. */
export async function checkReadiness(probes: Record<string, () => Promise<unknown>>): Promise<Readiness> {
  const names = Object.keys(probes);
  const results = await Promise.allSettled(
    names.map((name) => withTimeout(Promise.resolve().then(probes[name]))),
  );
  const checks = Object.fromEntries(
    names.map(
      (name, index) => [name, results[index]?.status === "fulfilled" ? "ok" : "unavailable"] as const,
    ),
  );
  const ready = Object.values(checks).every((state) => state === "ok");
  return { ready, body: { status: ready ? "ready" : "unavailable", checks } };
}
