// The embedded MQTT broker: aedes on a TCP socket, IPv6 first ([::1]:1883 by
// default). A scenario starts it and stops it with the run; with --mqtt-url
// the scenario uses any external broker instead and starts none.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export const DEFAULT_BROKER_HOST = '::1';
export const DEFAULT_BROKER_PORT = 1883;

export interface EmbeddedBroker {
  /** mqtt://[::1]:PORT: what clients connect to. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface BrokerOptions {
  /** Default ::1. */
  host?: string;
  /** Default 1883; 0 takes a free port (tests). */
  port?: number;
}

/** URL host part: IPv6 literals in brackets (RFC 3986 §3.2.2). */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts aedes listening on host:port; rejects (EADDRINUSE, EADDRNOTAVAIL...) when it cannot listen. */
export async function startEmbeddedBroker(options: BrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? DEFAULT_BROKER_HOST;
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true); // small MQTT packets go out at once (no Nagle delay)
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port: options.port ?? DEFAULT_BROKER_PORT, ipv6Only: host.includes(':') }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot start the embedded MQTT broker on ${urlHost(host)}:${options.port ?? DEFAULT_BROKER_PORT}: ${e.code ?? e.message}`);
  }
  const port = (server.address() as { port: number }).port;
  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://${urlHost(host)}:${port}`,
    host,
    port,
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
