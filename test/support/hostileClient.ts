/**
 * Clients for the gateway's hostile-input corpus: REST through fetch, raw HTTP/1.1 over a socket
 * (for what fetch will not send: lying lengths, endless chunked bodies, partial uploads, header
 * floods, dot segments), and KServe v2 gRPC through `@grpc/grpc-js` with the gateway's own proto.
 * Every call answers an {@link Answer}: the HTTP status or gRPC code, and the text to match (a
 * JSON error answer's message, unescaped).
 */
import { credentials, loadPackageDefinition, Metadata, status, type Client, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { connect, type Socket } from 'node:net';
import { loadInferenceProto } from '../../protocol/grpcMessages';

/** What the gateway answered: `"400"` for HTTP, `"grpc INVALID_ARGUMENT"` for gRPC; `"none"` when nothing came. */
export interface Answer {
  readonly code: string;
  readonly text: string;
  /** Raw HTTP only: the gateway closed the connection after answering. */
  readonly closed?: boolean;
}

export async function rest(url: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}${path}`, { method, body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await response.text();
  return { code: String(response.status), text: errorOf(text) ?? text };
}

/** The message of a JSON error answer (`{"error": "..."}`), to match unescaped. */
function errorOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body.error === 'string' ? body.error : undefined;
  } catch {
    return undefined;
  }
}

export interface RawOptions {
  /** Bytes to keep sending after `head` (chunked pieces, say) until an answer comes or `maxBytes` went out. */
  readonly more?: Buffer;
  readonly maxBytes?: number;
  /** How long to wait for an answer (and then for the close) before giving up. Default 5 s. */
  readonly waitMs?: number;
}

/** Writes `head` on a fresh connection, keeps sending `more`, and reads one answer. */
export function rawHttp(url: string, head: string | Buffer, options: RawOptions = {}): Promise<Answer> {
  const { port, hostname } = new URL(url);
  const waitMs = options.waitMs ?? 5000;
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let answered: Answer | undefined;
    let sent = 0;
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answered ? { ...answered, closed } : { code: 'none', text: `no answer within ${waitMs} ms`, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    const pump = (): void => {
      while (options.more && !answered && !socket.destroyed && sent < (options.maxBytes ?? 0)) {
        sent += options.more.length;
        if (!socket.write(options.more)) return void socket.once('drain', pump);
      }
    };
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      answered ??= parseAnswer(received);
    });
    socket.write(head, pump);
  });
}

/** Starts a request and leaves it unfinished; the socket is the caller's to destroy. */
export function openRaw(url: string, head: string): Promise<Socket> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(head, () => resolve(socket)));
    socket.on('error', () => undefined);
  });
}

function parseAnswer(bytes: Buffer): Answer | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = bytes.subarray(0, end).toString('latin1');
  const code = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 'unparsable';
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
  const body = bytes.subarray(end + 4);
  if (length !== undefined && body.length < Number(length)) return undefined;
  return { code, text: `${head}\n${body.toString('utf8')}` };
}

/** A POST request head for raw HTTP. */
export function postHead(path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries({ host: 'gateway', 'content-type': 'application/json', ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `POST ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** A KServe v2 gRPC client of the gateway's service. */
export class GrpcClient {
  private readonly client: Client & Record<string, unknown>;

  constructor(address: string) {
    const root = loadPackageDefinition(loadInferenceProto()) as unknown as { inference: { GRPCInferenceService: ServiceClientConstructor } };
    this.client = new root.inference.GRPCInferenceService(address, credentials.createInsecure(), {
      'grpc.max_send_message_length': -1,
      'grpc.max_receive_message_length': -1,
    }) as Client & Record<string, unknown>;
  }

  /** Calls `method`; its response (as JSON) or error status. */
  call(method: string, request: object, headers: Record<string, string> = {}): Promise<Answer & { response?: unknown }> {
    return new Promise((resolve) => {
      this.start(method, request, headers, (error, response) => {
        if (error) resolve({ code: `grpc ${status[error.code]}`, text: error.details });
        else resolve({ code: 'grpc OK', text: JSON.stringify(response), response });
      });
    });
  }

  /** Starts `method` and hands back the call, to cancel. */
  start(method: string, request: object, headers: Record<string, string>, done: (error: ServiceError | null, response?: unknown) => void): { cancel(): void } {
    const metadata = new Metadata();
    for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
    const fn = this.client[method] as (req: object, md: Metadata, cb: (e: ServiceError | null, r?: unknown) => void) => { cancel(): void };
    return fn.call(this.client, request, metadata, done);
  }

  close(): void {
    this.client.close();
  }
}
