import pg from "pg";

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

/**
 * Keeps one PostgreSQL connection LISTENing for configuration changes, reconnecting after a loss.
 * Returns a function that stops it.
 */
export function listenForConfigChanges(
  databaseUrl: string,
  handlers: ConfigChangeHandlers,
): () => Promise<void> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const lost = (error?: Error) => {
    if (error) handlers.onError?.(error);
    handlers.onListening(false);
    const dead = client;
    client = undefined;
    dead?.end().catch(() => undefined);
    if (!stopped && !retry) retry = setTimeout(connect, RECONNECT_DELAY_MS).unref();
  };

  async function connect(): Promise<void> {
    retry = undefined;
    if (stopped) return;
    const next = new pg.Client({ connectionString: databaseUrl, keepAlive: true });
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
      if (client === next && !stopped) handlers.onListening(true);
    } catch (error) {
      if (client === next) lost(error as Error);
    }
  }

  void connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const last = client;
    client = undefined;
    handlers.onListening(false);
    await last?.end().catch(() => undefined);
  };
}
