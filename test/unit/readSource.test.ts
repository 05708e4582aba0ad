/**
 * Reading sources on this machine's real filesystem: only regular files inside the allowed
 * folders, never past the cap, stopping when cancelled. Devices, FIFOs, directories and links that
 * escape a root are refused before a byte is read.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readSource, type ReadSourceOptions } from '../../activities/ingest/readSource';
import type { SourcePolicy } from '../../activities/ingest/sourcePolicy';

let dir: string;
let root: string;
const beats: unknown[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-read-source-'));
  root = path.join(dir, 'root');
  await mkdir(root);
  await writeFile(path.join(root, 'model.onnx'), Buffer.alloc(10_000, 7));
  await writeFile(path.join(dir, 'outside.onnx'), 'outside');
  execFileSync('mkfifo', [path.join(root, 'pipe.onnx')]);
  await symlink('/etc/passwd', path.join(root, 'passwd.onnx'));
  await symlink(path.join(root, 'model.onnx'), path.join(root, 'inside-link.onnx'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(overrides: Partial<ReadSourceOptions> = {}, policy: Partial<SourcePolicy> = {}): ReadSourceOptions {
  return {
    policy: { roots: [root], buckets: ['allowed'], maxModelBytes: 1e9, maxDataBytes: 1e9, ...policy },
    maxBytes: 1e6,
    failure: 'ModelSourceUnreadable',
    what: 'model source',
    capSetting: 'model.maxSourceBytes',
    context: { heartbeat: (details) => void beats.push(details), signal: new AbortController().signal },
    ...overrides,
  };
}

/** The failure `readSource` throws, as `{ type, nonRetryable, message }`. */
async function refusal(source: string, opts: ReadSourceOptions = options()): Promise<{ type?: string; nonRetryable?: boolean; message: string }> {
  const error = (await readSource(source, opts).then(
    () => {
      throw new Error(`${source} was read`);
    },
    (e: unknown) => e,
  )) as { type?: string; nonRetryable?: boolean; message: string };
  return { type: error.type, nonRetryable: error.nonRetryable, message: error.message };
}

test('a regular file inside a root is read whole, by path, file:// URI or a link that stays inside, heartbeating', async () => {
  beats.length = 0;
  const file = path.join(root, 'model.onnx');
  expect((await readSource(file, options())).byteLength).toBe(10_000);
  expect(Buffer.from(await readSource(pathToFileURL(path.join(root, 'inside-link.onnx')).href, options()))).toEqual(Buffer.alloc(10_000, 7));
  expect(beats).toContainEqual({ phase: 'read', what: 'model source', bytesRead: 0 });
});

test('/dev/zero is refused as outside the roots, and as a device when its folder is allowed', async () => {
  expect(await refusal('/dev/zero')).toEqual({ type: 'ModelSourceUnreadable', nonRetryable: true, message: expect.stringContaining('is outside the folders') });
  expect((await refusal('file:///dev/zero', options({}, { roots: ['/dev'] }))).message).toBe(
    'cannot read the model source file:///dev/zero: it is a device, not a regular file',
  );
});

test('a FIFO is refused without waiting for a writer; a directory is refused', async () => {
  expect((await refusal(path.join(root, 'pipe.onnx'))).message).toMatch(/it is a FIFO, not a regular file$/);
  expect((await refusal(root)).message).toMatch(/it is a directory, not a regular file$/);
});

test('a file outside the roots, or a link in a root pointing outside, is refused, naming the roots and the variable', async () => {
  const outside = await refusal(path.join(dir, 'outside.onnx'));
  expect(outside.message).toContain(`is outside the folders this worker reads sources from (${root})`);
  expect(outside.message).toContain('MODELSHIP_SOURCE_ROOTS');
  const link = await refusal(pathToFileURL(path.join(root, 'passwd.onnx')).href);
  expect(link.message).toContain('(resolves to /etc/passwd) is outside the folders');
  expect((await refusal('/etc/passwd')).type).toBe('ModelSourceUnreadable');
});

test('a file over the cap is refused before it is read, with the size, the limit and the setting', async () => {
  expect((await refusal(path.join(root, 'model.onnx'), options({ maxBytes: 9_999 }))).message).toBe(
    `model source ${path.join(root, 'model.onnx')} is 10000 bytes, over the limit of 9999 bytes (model.maxSourceBytes)`,
  );
});

test('a missing file is a refusal; an unsupported scheme or a bucket not allowed is refused with what to do', async () => {
  expect((await refusal(path.join(root, 'missing.onnx'))).message).toMatch(/ENOENT$/);
  expect((await refusal('https://example.com/model.onnx')).message).toBe(
    'unsupported location https://example.com/model.onnx for the model source: use a path, file:// or s3://',
  );
  expect((await refusal('s3://elsewhere/model.onnx')).message).toContain('add it to MODELSHIP_SOURCE_BUCKETS on the worker');
});

test('a cancelled activity stops reading', async () => {
  const controller = new AbortController();
  controller.abort(new Error('activity cancelled'));
  await expect(readSource(path.join(root, 'model.onnx'), options({ context: { heartbeat: () => undefined, signal: controller.signal } }))).rejects.toThrow(
    'activity cancelled',
  );
});
