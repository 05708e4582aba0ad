import { forTransfer } from '../../runtime/instanceMessages';
import { defaultInstances, instancesFor, intraOpThreadsFor } from '../../serving/instanceSizing';
import { DEFAULT_SERVING } from '../../serving/versionExecutor';

test('default instances: half the cores, at least 1, at most 8; a spec’s instances as given', () => {
  expect([1, 2, 3, 4, 8, 16, 64].map((cores) => defaultInstances(cores))).toEqual([1, 1, 1, 2, 4, 8, 8]);
  expect(instancesFor(DEFAULT_SERVING, 2)).toBe(1);
  expect(instancesFor({ ...DEFAULT_SERVING, instances: 3 }, 2)).toBe(3);
});

test('intra-op threads: the cores shared out between instances (at least 1), unless the gateway sets them', () => {
  expect(intraOpThreadsFor(1, 0, 2)).toBe(2);
  expect(intraOpThreadsFor(2, 0, 8)).toBe(4);
  expect(intraOpThreadsFor(4, 0, 2)).toBe(1);
  expect(intraOpThreadsFor(2, 3, 8)).toBe(3);
});

test('tensors for transfer: a view into a larger buffer is copied, an owned array moves, BYTES are cloned', () => {
  const pool = new ArrayBuffer(64);
  const view = new Float32Array(pool, 8, 2);
  view.set([1, 2]);
  const owned = Float32Array.from([3, 4]);
  const { tensors, transfer } = forTransfer(
    {
      view: { datatype: 'FP32', shape: [2], data: view },
      owned: { datatype: 'FP32', shape: [2], data: owned },
      again: { datatype: 'FP32', shape: [2], data: owned },
      text: { datatype: 'BYTES', shape: [1], data: ['a'] },
    },
    true,
  );
  expect(transfer).toHaveLength(3);
  expect(tensors.view?.data).not.toBe(view);
  expect(Array.from(tensors.view?.data as Float32Array)).toEqual([1, 2]);
  expect((tensors.view?.data as Float32Array).buffer.byteLength).toBe(8);
  expect(tensors.owned?.data).toBe(owned);
  expect(tensors.again?.data).not.toBe(owned); // one buffer is transferred once; the second use is a copy
  expect(tensors.text?.data).toEqual(['a']);
  // Not owned: even an array that fills its buffer is copied, so the caller keeps it.
  expect(forTransfer({ owned: { datatype: 'FP32', shape: [2], data: owned } }, false).tensors.owned?.data).not.toBe(owned);
});
