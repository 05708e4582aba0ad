import type { ModelSession } from '../../runtime';
import { ModelRegistry, stickyDraw } from '../../serving/modelRegistry';

/** A session that records release and can hold its runs open. */
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

async function twoVersions(extra: object = {}) {
  const registry = new ModelRegistry();
  const sessions: Record<string, ModelSession> = { [d('a')]: fakeSession('a').session, [d('b')]: fakeSession('b').session };
  await registry.apply(
    {
      endpoint: 'e',
      generation: 1,
      versions: [
        { version: 'stable', digest: d('a'), weight: 90 },
        { version: 'canary', digest: d('b'), weight: 10 },
      ],
      ...extra,
    },
    async (digest) => sessions[digest] as ModelSession,
  );
  return registry;
}

test('weighted picks follow the weights; a named version is picked directly', async () => {
  const registry = await twoVersions();
  expect(registry.pick('e', { random: 0.0 })?.version).toBe('stable');
  expect(registry.pick('e', { random: 0.899 })?.version).toBe('stable');
  expect(registry.pick('e', { random: 0.9 })?.version).toBe('canary');
  expect(registry.pick('e', { version: 'canary' })?.version).toBe('canary');
  expect(registry.pick('e', { version: 'nope' })).toBeUndefined();
  expect(registry.primary('e')?.version).toBe('stable');
});

test('a sticky header sends the same key to the same version, whatever the draw', async () => {
  const registry = await twoVersions({ stickyHeader: 'X-User' });
  for (const user of ['alice', 'bob', 'carol', 'dave']) {
    const expected = stickyDraw(user) < 0.9 ? 'stable' : 'canary';
    for (const random of [0, 0.5, 0.99]) {
      expect(registry.pick('e', { headers: { 'x-user': user }, random })?.version).toBe(expected);
    }
  }
  const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
  const canaryShare = keys.filter((k) => registry.pick('e', { headers: { 'x-user': k } })?.version === 'canary').length / keys.length;
  expect(canaryShare).toBeGreaterThan(0.07);
  expect(canaryShare).toBeLessThan(0.13);
});

test('a header match routes matching requests to its version', async () => {
  const registry = await twoVersions({ match: { header: 'X-Canary', value: 'yes', version: 'canary' } });
  expect(registry.pick('e', { headers: { 'x-canary': 'yes' }, random: 0 })?.version).toBe('canary');
  expect(registry.pick('e', { headers: { 'x-canary': 'no' }, random: 0 })?.version).toBe('stable');
  expect(registry.pick('e', { random: 0 })?.version).toBe('stable');
});

test('a retired version is released only after its in-flight request finishes', async () => {
  const registry = new ModelRegistry();
  const old = fakeSession('old');
  const next = fakeSession('new');
  await registry.apply({ endpoint: 'e', generation: 1, versions: [{ version: 'v1', digest: d('a'), weight: 100 }] }, async () => old.session);
  const inflight = registry.pick('e')?.runTimed({});
  await registry.apply({ endpoint: 'e', generation: 2, versions: [{ version: 'v2', digest: d('b'), weight: 100 }] }, async () => next.session);
  expect(registry.pick('e')?.version).toBe('v2');
  await new Promise((r) => setTimeout(r, 20));
  expect(old.state.released).toBe(false);
  old.unblock();
  await inflight;
  await registry.whenRetired();
  expect(old.state.released).toBe(true);
  expect(next.state.released).toBe(false);
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

test('an unchanged version keeps its session across generations', async () => {
  const registry = new ModelRegistry();
  let loads = 0;
  const load = async () => {
    loads++;
    return fakeSession('x').session;
  };
  await registry.apply({ endpoint: 'e', generation: 1, versions: [{ version: 'v1', digest: d('a'), weight: 100 }] }, load);
  await registry.apply(
    {
      endpoint: 'e',
      generation: 2,
      versions: [
        { version: 'v1', digest: d('a'), weight: 50 },
        { version: 'v2', digest: d('b'), weight: 50 },
      ],
    },
    load,
  );
  expect(loads).toBe(2);
});
