/**
 * Request and response bodies for the gateway's routes: reading a request body (size-limited,
 * uncompressed), dropping one after an early answer, parsing JSON with a 400, and writing JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../protocol/httpError';

const JSON_TYPE = 'application/json';

/** The whole body, or a 413 past `limit` bytes and a 415 for a compressed one (the rest is drained either way). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    await discardBody(req);
    throw new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limit}`);
  }
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') {
    await discardBody(req);
    throw new HttpError(415, `Content-Encoding ${encoding} is not supported; send the body uncompressed`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      await discardBody(req);
      throw new HttpError(413, `request body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads and drops the rest of a body, so the connection can be reused after an early answer. */
export async function discardBody(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  req.resume();
  await new Promise<void>((resolve) => {
    req.once('end', resolve);
    req.once('error', () => resolve());
    req.once('close', resolve);
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
