import net from "node:net";

/**
 * - `forward`: bytes flow both ways.
 * - `refuse`: the server behind is gone: every connection is reset, new ones are reset on accept.
 * - `blackhole`: a partition without RST: connections stay open (new ones are accepted, as a kernel would
 *   before the application answers) but nothing flows either way, not even a close. Back to `forward`, the
 *   held bytes flow again in order, as TCP retransmission would deliver them once the network heals: a
 *   client that gave up and closed its socket meanwhile has its close reach the server then.
 */
export type ProxyMode = "forward" | "refuse" | "blackhole";

export interface TcpProxy {
  port: number;
  mode: (mode: ProxyMode) => void;
  /** Connections currently open on the client side. */
  connections: () => number;
  close: () => Promise<void>;
}

interface Link {
  client: net.Socket;
  /** Unset while a connection accepted during a black hole has not reached the target yet. */
  target?: net.Socket;
  held: boolean;
}

/** A TCP proxy on 127.0.0.1 in front of `targetHost:targetPort`, whose faults a test switches. */
export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  let current: ProxyMode = "forward";
  const links = new Set<Link>();

  const cut = (link: Link) => {
    links.delete(link);
    reset(link.client);
    if (link.target) reset(link.target);
  };

  const connectTarget = (link: Link) => {
    const target = net.connect({ port: targetPort, host: targetHost });
    link.target = target;
    target.on("error", () => cut(link));
    target.on("close", () => {
      if (!link.held) cut(link);
    });
    flow(link);
  };

  const flow = (link: Link) => {
    link.held = false;
    if (link.client.destroyed || link.target?.destroyed) return cut(link);
    if (!link.target) return connectTarget(link);
    link.client.pipe(link.target);
    link.target.pipe(link.client);
  };

  const hold = (link: Link) => {
    link.held = true;
    link.client.unpipe();
    link.client.pause();
    if (link.target) {
      link.target.unpipe();
      link.target.pause();
    }
  };

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    if (current === "refuse") {
      client.on("error", () => undefined);
      reset(client);
      return;
    }
    const link: Link = { client, held: current === "blackhole" };
    links.add(link);
    client.on("error", () => cut(link));
    client.on("close", () => {
      if (!link.held) cut(link);
    });
    if (current === "forward") connectTarget(link);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    port: (server.address() as net.AddressInfo).port,
    mode(mode) {
      if (mode === current) return;
      current = mode;
      for (const link of [...links]) {
        if (mode === "refuse") cut(link);
        else if (mode === "blackhole") hold(link);
        else flow(link);
      }
    },
    connections: () => links.size,
    async close() {
      for (const link of [...links]) cut(link);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Closes with RST where the socket allows it. */
function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  // libuv refuses to reset a socket whose shutdown (end()) is under way and leaves its handle open (which
  // can hang the process at exit), and a socket still connecting would be reset only once connected.
  if (socket.writableEnded || socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}
