/**
 * Request and response bodies for the gateway's routes: reading a request body (size-limited,
 * uncompressed; refused at once, never buffered past the limit), parsing JSON with a 400, and
 * writing JSON. A client that hangs up mid-body is a {@link CLIENT_CLOSED} (499), not a failure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../protocol/httpError';

const JSON_TYPE = 'application/json';

/** nginx's status for a request whose client went away before its answer: never the server's error. */
export const CLIENT_CLOSED = 499;

/**
 * The whole body; a 413 past `limit` bytes (declared or streamed) and a 415 for a compressed one,
 * at once: the rest is never read, and the error answer closes the connection (`dispatch.ts`).
 * A client that hangs up mid-body is a {@link CLIENT_CLOSED}.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limit}`);
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') throw new HttpError(415, `Content-Encoding ${encoding} is not supported; send the body uncompressed`);
  return collect(req, limit);
}

/**
 * The body's chunks up to `limit`. Listeners rather than `for await`: leaving an async iteration
 * early destroys the request and with it the socket, and the 413 could not be answered.
 */
function collect(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error?: HttpError): void => {
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.pause();
      settle(new HttpError(413, `request body exceeds the limit of ${limit} bytes`));
    };
    const onEnd = (): void => settle();
    const onGone = (): void => settle(new HttpError(CLIENT_CLOSED, `the client closed the connection after ${size} bytes of its request body`));
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

export function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `malformed JSON body: ${(error as Error).message}`);
  }
}

/** Answers with `body` as JSON; does nothing once an answer has started. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}
