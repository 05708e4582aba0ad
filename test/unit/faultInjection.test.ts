/** The gateway's fault switch: injected errors at a rate, added latency, per endpoint and version; both 0 clears. */
import { HttpError } from '../../protocol/httpError';
import { FaultInjector, faultSettings } from '../../serving/faultInjection';

test("errors at the fault's rate, for its endpoint and version only, as a 500 saying the fault is injected", () => {
  const draws = [0.1, 0.9];
  const faults = new FaultInjector(() => draws.shift() ?? 1);
  faults.set(faultSettings.parse({ endpoint: 'iris', version: 'v2', errorRate: 0.5 }));
  let thrown: unknown;
  try {
    faults.failIfInjected('iris', 'v2');
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(HttpError);
  expect(thrown).toMatchObject({ status: 500, message: expect.stringMatching(/^injected fault: iris\/v2 fails 50% of requests/) });
  expect(() => faults.failIfInjected('iris', 'v2')).not.toThrow();
  expect(() => faults.failIfInjected('iris', 'v1')).not.toThrow();
  expect(faults.list()).toEqual([{ endpoint: 'iris', version: 'v2', errorRate: 0.5, latencyMs: 0 }]);
});

test('added latency is waited and answered; both 0 clears the fault', async () => {
  const faults = new FaultInjector();
  faults.set(faultSettings.parse({ endpoint: 'iris', version: 'v2', latencyMs: 5 }));
  expect(await faults.delay('iris', 'v2')).toBe(5);
  expect(await faults.delay('iris', 'v1')).toBe(0);
  faults.set(faultSettings.parse({ endpoint: 'iris', version: 'v2' }));
  expect(faults.list()).toEqual([]);
  expect(faultSettings.safeParse({ endpoint: 'iris', version: 'v2', errorRate: 2 }).success).toBe(false);
});
