import type pg from "pg";

/**
 * Cuts a node-postgres client's socket at once. `end()` waits for the server to close its side, which a
 * black-holed peer never does; pg exposes no public way to destroy the socket, so this reaches its stream.
 */
export function destroySocket(client: pg.Client | undefined): void {
  (
    client as unknown as { connection?: { stream?: { destroy(): void } } } | undefined
  )?.connection?.stream?.destroy();
}
