/** Local HTTP servers for unit tests that talk to a replica: one listening on a free loopback port, and a URL nothing listens on. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `server` on a free loopback port; resolves to its base URL. */
export async function listenLocally(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The URL of a port nothing listens on (a server opened and closed): a replica killed since its last heartbeat. */
export async function closedPortUrl(): Promise<string> {
  const closed = http.createServer();
  const url = await listenLocally(closed);
  await new Promise((resolve) => closed.close(resolve));
  return url;
}

/** Closes `server`. */
export function closeServer(server: http.Server): Promise<unknown> {
  return new Promise((resolve) => server.close(resolve));
}
