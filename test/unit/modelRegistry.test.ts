import type { ModelSession } from '../../activities/runtime';
import { ModelRegistry } from '../../serving/modelRegistry';

/** A session that records release and can hold a run open. */
function fakeSession(name: string) {
  const state = { released: false, name };
  let unblock: () => void = () => undefined;
  const blocked = new Promise<void>((resolve) => (unblock = resolve));
  const session: ModelSession = {
    signature: { inputs: [], outputs: [] },
    runtime: { ortVersion: 'x', executionProvider: 'cpu', intraOpThreads: 0 },
    run: async () => {
      await blocked;
      return {};
    },
    release: async () => {
      state.released = true;
    },
  };
  return { session, state, unblock };
}

const d = (c: string) => c.repeat(64);

test('weighted picks follow the weights; a named version is picked directly', async () => {
  const registry = new ModelRegistry();
  const sessions = { [d('a')]: fakeSession('a').session, [d('b')]: fakeSession('b').session };
  await registry.apply(
    { endpoint: 'e', generation: 1, versions: [{ version: 'stable', digest: d('a'), weight: 90 }, { version: 'canary', digest: d('b'), weight: 10 }] },
    async (digest) => sessions[digest] as ModelSession,
  );
  expect(registry.pick('e', undefined, 0.0)?.version).toBe('stable');
  expect(registry.pick('e', undefined, 0.899)?.version).toBe('stable');
  expect(registry.pick('e', undefined, 0.9)?.version).toBe('canary');
  expect(registry.pick('e', 'canary')?.version).toBe('canary');
  expect(registry.pick('e', 'nope')).toBeUndefined();
  expect(registry.primary('e')?.version).toBe('stable');
});

test('a retired version is released only after its in-flight request finishes', async () => {
  const registry = new ModelRegistry();
  const old = fakeSession('old');
  const next = fakeSession('new');
  await registry.apply({ endpoint: 'e', generation: 1, versions: [{ version: 'v1', digest: d('a'), weight: 100 }] }, async () => old.session);
  const inflight = registry.pick('e')?.run({});
  await registry.apply({ endpoint: 'e', generation: 2, versions: [{ version: 'v2', digest: d('b'), weight: 100 }] }, async () => next.session);
  expect(registry.pick('e')?.version).toBe('v2');
  expect(old.state.released).toBe(false);
  old.unblock();
  await inflight;
  expect(old.state.released).toBe(true);
});

test('a failed load changes nothing', async () => {
  const registry = new ModelRegistry();
  const v1 = fakeSession('v1');
  await registry.apply({ endpoint: 'e', generation: 1, versions: [{ version: 'v1', digest: d('a'), weight: 100 }] }, async () => v1.session);
  await expect(
    registry.apply({ endpoint: 'e', generation: 2, versions: [{ version: 'v2', digest: d('b'), weight: 100 }] }, async () => {
      throw new Error('corrupt');
    }),
  ).rejects.toThrow('corrupt');
  expect(registry.route('e')?.generation).toBe(1);
  expect(registry.pick('e')?.version).toBe('v1');
});
