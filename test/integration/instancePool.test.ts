/**
 * Model instances on real onnxruntime worker threads: same answers as a session on this thread,
 * the caller's feeds intact after a run (views into a larger buffer included), every datatype
 * across the thread boundary, runs on two instances at once, a crashed instance failing its request
 * cleanly and restarting, a model that cannot load, and release.
 */
import { readFile } from 'node:fs/promises';
import { InstanceCrashedError, type InstancePool, ModelLoadError, NUMERIC_DATATYPES, OnnxRuntime, type TensorMap } from '../../runtime';
import { modelPath } from '../support/testEnv';

const runtime = new OnnxRuntime();

/** Polls until `predicate` holds (the test's own timeout bounds it). */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 10));
}

/** A matmul_chain request whose size sets how long it runs. */
const chain = (n: number): TensorMap => ({ x: { datatype: 'FP32', shape: [1, n], data: Float32Array.from({ length: n }, (_, i) => Math.sin(i)) } });

test('an instance answers as a session on this thread does, and leaves the caller’s feeds intact', async () => {
  const bytes = await readFile(modelPath('classifier'));
  const pooled = await runtime.load(bytes, { instances: 2 });
  const local = await runtime.load(bytes, { instances: 0 });
  try {
    expect(pooled.instances).toBe(2);
    expect(pooled.signature).toEqual(local.signature);
    // A view into the middle of a larger buffer (as a slice of a request body would be).
    const body = Buffer.alloc(64, 7);
    const features = new Float32Array(body.buffer, body.byteOffset + 16, 8);
    features.set([0.3, -1.2, 2.2, 0.9, 1.0, 1.0, -0.5, 0.25]);
    const owned = Float32Array.from(features);
    const feeds: TensorMap = { features: { datatype: 'FP32', shape: [2, 4], data: features } };
    const ownedFeeds: TensorMap = { features: { datatype: 'FP32', shape: [2, 4], data: owned } };
    const expected = await local.run(feeds);
    expect(await pooled.run(feeds)).toEqual(expected);
    expect(await pooled.run(ownedFeeds)).toEqual(expected);
    expect(Array.from(features)).toEqual([0.3, -1.2, 2.2, 0.9, 1.0, 1.0, -0.5, 0.25].map(Math.fround));
    expect(owned.length).toBe(8);
    expect(Array.from(owned)).toEqual(Array.from(features));
    expect(body.subarray(0, 16).every((b) => b === 7)).toBe(true);
    expect(body.byteLength).toBe(64);
    const timed = await (pooled as InstancePool).runTimed(feeds);
    expect(timed.outputs).toEqual(expected);
    expect(timed.runMs).toBeGreaterThan(0);
  } finally {
    await Promise.all([pooled.release(), local.release()]);
  }
});

test('every datatype crosses the thread boundary, BYTES included', async () => {
  const session = await runtime.load(await readFile(modelPath('datatypes')), { instances: 1 });
  try {
    const feeds: TensorMap = {
      in_bool: { datatype: 'BOOL', shape: [1, 2], data: Uint8Array.from([1, 0]) },
      in_fp16: { datatype: 'FP16', shape: [1, 2], data: Uint16Array.from([0x3c00, 0xc000]) },
      in_int64: { datatype: 'INT64', shape: [1, 2], data: BigInt64Array.from([-5n, 2n ** 40n]) },
      in_uint64: { datatype: 'UINT64', shape: [1, 2], data: BigUint64Array.from([1n, 2n ** 63n]) },
      in_fp64: { datatype: 'FP64', shape: [1, 2], data: Float64Array.from([Math.PI, -0]) },
      in_bytes: { datatype: 'BYTES', shape: [1, 2], data: ['héllo', ''] },
    };
    for (const { name, datatype } of session.signature.inputs) {
      if (!(name in feeds) && datatype !== 'BYTES') feeds[name] = { datatype, shape: [1, 2], data: new NUMERIC_DATATYPES[datatype].array(2) };
    }
    expect(Object.keys(feeds)).toHaveLength(13);
    const outputNames = Object.keys(feeds).map((n) => n.replace('in_', 'out_'));
    const outputs = await session.run(feeds, outputNames);
    for (const name of Object.keys(feeds)) expect(outputs[name.replace('in_', 'out_')]).toEqual({ ...feeds[name], shape: [1, 2] });
  } finally {
    await session.release();
  }
});

test('two instances run at once; a crashed one fails its request cleanly and restarts', async () => {
  const pool = (await runtime.load(await readFile(modelPath('matmul_chain')), { instances: 2, intraOpThreads: 1 })) as InstancePool;
  try {
    const first = pool.run(chain(1200));
    const second = pool.run(chain(1200));
    await until(() => pool.busy === 2);
    await pool.crashInstance(0);
    const [a, b] = await Promise.allSettled([first, second]);
    expect(a.status).toBe('rejected');
    expect((a as PromiseRejectedResult).reason).toBeInstanceOf(InstanceCrashedError);
    expect(String((a as PromiseRejectedResult).reason)).toMatch(/model instance 1 of 2 exited with code 70 while running this request; it is restarting/);
    expect(b.status).toBe('fulfilled');
    // Later requests succeed, on both instances again.
    const later = await Promise.all([pool.run(chain(400)), pool.run(chain(400))]);
    expect(later.map((o) => o.y?.shape)).toEqual([
      [1, 400],
      [1, 400],
    ]);
    await until(() => pool.busy === 0);
  } finally {
    await pool.release();
  }
  await expect(pool.run(chain(10))).rejects.toThrow(/released/);
});

test('a model that cannot load is a ModelLoadError, as on this thread', async () => {
  await expect(runtime.load(await readFile(modelPath('corrupt')), { instances: 2 })).rejects.toBeInstanceOf(ModelLoadError);
});
