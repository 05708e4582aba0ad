/**
 * A local HTTP server standing in for a webhook (a Slack incoming webhook, a pager's endpoint): it
 * records every POST (path, headers, JSON body) and answers each path with the statuses it was told
 * to, in order (then 200), so a test can make the first delivery fail and see the retry.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  /** The URL's path, without its query. */
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** The status this POST was answered with. */
  status: number;
}

export class WebhookReceiver {
  readonly received: ReceivedPost[] = [];
  private readonly scripted = new Map<string, number[]>();
  private readonly waiters: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    const handler: { receiver?: WebhookReceiver } = {};
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () =>
        handler.receiver?.record(new URL(request.url ?? '/', 'http://receiver').pathname, request.headers, Buffer.concat(chunks).toString('utf8'), response),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    handler.receiver = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return handler.receiver;
  }

  /** Answers the next POSTs to `path` with `statuses`, in order; later ones get 200. */
  answer(path: string, ...statuses: number[]): void {
    this.scripted.set(path, [...(this.scripted.get(path) ?? []), ...statuses]);
  }

  /** The POSTs to `path` so far. */
  postsTo(path: string): ReceivedPost[] {
    return this.received.filter((post) => post.path === path);
  }

  /** Waits until `done` holds of what was received (checked after every POST). */
  async until(done: (received: ReceivedPost[]) => boolean): Promise<ReceivedPost[]> {
    while (!done(this.received)) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.received;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(path: string, headers: IncomingHttpHeaders, text: string, response: ServerResponse): void {
    const status = this.scripted.get(path)?.shift() ?? 200;
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text, which the test then sees
    }
    this.received.push({ path, headers, body, status });
    response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : `scripted ${status}`);
    for (const wake of this.waiters.splice(0)) wake();
  }
}
