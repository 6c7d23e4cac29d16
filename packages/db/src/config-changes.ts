import pg from "pg";
import { destroySocket } from "./pg-socket.js";

/** The channel the `*_config_change` triggers notify (see migration config_change_notify). */
export const CONFIG_CHANGE_CHANNEL = "hookrelay_config";

export interface ConfigChangeHandlers {
  /** A project's API keys or webhooks changed (committed). */
  onChange: (projectId: string) => void;
  /** Listening started (true) or stopped (false); while false, notifications may be missed. */
  onListening: (listening: boolean) => void;
  onError?: (error: Error) => void;
}

const RECONNECT_DELAY_MS = 1_000;

export interface ListenerTimings {
  /** How often the listening connection proves it is alive with a query. */
  heartbeatMs?: number;
  /** How long connecting, LISTEN or a heartbeat may take before the connection counts as lost. */
  timeoutMs?: number;
}

/** Defaults: a silently dropped connection (NAT timeout, failover without RST) is noticed within 15 s. */
export const CONFIG_LISTENER_TIMINGS = { heartbeatMs: 10_000, timeoutMs: 5_000 } as const;

/**
 * Keeps one PostgreSQL connection LISTENing for configuration changes, reconnecting after a loss. A
 * connection can die without a word (a NAT idle timeout, a failover without RST): a heartbeat query with a
 * timeout notices that within `heartbeatMs + timeoutMs`, and the connection counts as lost — so whatever
 * relies on the notifications (a cache) stops trusting them within that bound. Returns a stop function.
 */
export function listenForConfigChanges(
  databaseUrl: string,
  handlers: ConfigChangeHandlers,
  {
    heartbeatMs = CONFIG_LISTENER_TIMINGS.heartbeatMs,
    timeoutMs = CONFIG_LISTENER_TIMINGS.timeoutMs,
  }: ListenerTimings = {},
): () => Promise<void> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const lost = (error?: Error) => {
    if (error) handlers.onError?.(error);
    handlers.onListening(false);
    clearInterval(heartbeat);
    const dead = client;
    client = undefined;
    destroySocket(dead);
    dead?.end().catch(() => undefined);
    if (!stopped && !retry) retry = setTimeout(connect, RECONNECT_DELAY_MS).unref();
  };

  async function connect(): Promise<void> {
    retry = undefined;
    if (stopped) return;
    const next = new pg.Client({
      connectionString: databaseUrl,
      keepAlive: true,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    });
    client = next;
    next.on("error", (error) => {
      if (client === next) lost(error);
    });
    next.on("end", () => {
      if (client === next) lost();
    });
    next.on("notification", (message) => {
      if (message.channel === CONFIG_CHANGE_CHANNEL && message.payload) handlers.onChange(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${CONFIG_CHANGE_CHANNEL}`);
      if (client === next && !stopped) {
        handlers.onListening(true);
        heartbeat = setInterval(() => {
          next.query("SELECT 1").catch((error: Error) => {
            if (client === next) lost(new Error(`listener heartbeat failed: ${error.message}`));
          });
        }, heartbeatMs).unref();
      }
    } catch (error) {
      if (client === next) lost(error as Error);
    }
  }

  void connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    clearInterval(heartbeat);
    const last = client;
    client = undefined;
    handlers.onListening(false);
    if (!last) return;
    // end() waits for the server to close its side: bounded, because a black-holed peer never does.
    let bounded: NodeJS.Timeout | undefined;
    await Promise.race([
      last.end().catch(() => undefined),
      new Promise<void>((resolve) => {
        bounded = setTimeout(resolve, timeoutMs).unref();
      }),
    ]);
    clearTimeout(bounded);
    destroySocket(last);
  };
}
