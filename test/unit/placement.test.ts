/** Placement: label lists, which replicas hold an endpoint, and the control plane's rendezvous choice (deterministic, balanced, stable). */
import { choosePlacement, rendezvousOrder } from '../../activities/rollout/placementChoice';
import { isPlacedHere, matchesSelector, parseLabels, placingServing } from '../../serving/placement';

const ids = (n: number, prefix = 'r'): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

test('labels: key=value lists, a bare name is a pool, anything else is refused with an example', () => {
  expect(parseLabels('pool=cpu-small,zone=a')).toEqual({ pool: 'cpu-small', zone: 'a' });
  expect(parseLabels('gpu-large')).toEqual({ pool: 'gpu-large' });
  expect(parseLabels('')).toEqual({});
  expect(() => parseLabels('pool=a=b')).toThrow('"pool=a=b" is not a label: write key=value');
  expect(() => parseLabels('pool=')).toThrow('such as pool=cpu-small');
});

test('a selector matches replicas carrying every one of its labels', () => {
  expect(matchesSelector({ pool: 'a', zone: 'x' }, { pool: 'a' })).toBe(true);
  expect(matchesSelector({ pool: 'a' }, { pool: 'a', zone: 'x' })).toBe(false);
  expect(matchesSelector(undefined, { pool: 'a' })).toBe(false);
  expect(matchesSelector(undefined, {})).toBe(true);
});

test('a replica holds an endpoint with no placement, one whose selector it matches, or one that chose it', () => {
  const self = { replicaId: 'r-1', labels: { pool: 'a' } };
  expect(isPlacedHere({}, self)).toBe(true);
  expect(isPlacedHere({ placement: { selector: { pool: 'a' } } }, self)).toBe(true);
  expect(isPlacedHere({ placement: { selector: { pool: 'b' } } }, self)).toBe(false);
  expect(isPlacedHere({ placement: { selector: { pool: 'a' }, replicas: ['r-0'] } }, self)).toBe(false);
  expect(isPlacedHere({ placement: { selector: { pool: 'a' }, replicas: ['r-0', 'r-1'] } }, self)).toBe(true);
});

test('the version being rolled out places the endpoint: the shadow target, else the last routed version', () => {
  const stable = { serving: { pool: 'a' } };
  const candidate = { serving: { pool: 'b', replicas: 1 } };
  expect(placingServing({ versions: [stable, candidate] })).toEqual({ pool: 'b', replicas: 1 });
  expect(placingServing({ versions: [stable], shadow: candidate })).toEqual({ pool: 'b', replicas: 1 });
  expect(placingServing({ versions: [stable, {}] })).toEqual({ pool: 'a' });
  expect(placingServing({ versions: [{}] })).toBeUndefined();
});

test('rendezvous order is deterministic: independent of the order replicas are listed in', () => {
  const replicas = ids(7);
  const order = rendezvousOrder('fraud', replicas);
  expect(rendezvousOrder('fraud', [...replicas].reverse())).toEqual(order);
  expect([...order].sort()).toEqual([...replicas].sort());
});

test('rendezvous choice is balanced: 1,000 endpoints, 2 replicas each, spread evenly over a pool of 5', () => {
  const replicas = ids(5);
  const counts = new Map(replicas.map((r) => [r, 0]));
  for (let e = 0; e < 1000; e++) for (const r of rendezvousOrder(`endpoint-${e}`, replicas).slice(0, 2)) counts.set(r, (counts.get(r) ?? 0) + 1);
  // 2,000 placements, 400 expected each; a fair split stays well within ±20%.
  for (const count of counts.values()) expect(Math.abs(count - 400)).toBeLessThan(80);
});

test('rendezvous choice is stable: a replica that joins takes over only endpoints it ranks first for, and nothing else moves', () => {
  const before = ids(4);
  const after = [...before, 'r-new'];
  let moved = 0;
  for (let e = 0; e < 500; e++) {
    const endpoint = `endpoint-${e}`;
    const was = new Set(rendezvousOrder(endpoint, before).slice(0, 2));
    const now = rendezvousOrder(endpoint, after).slice(0, 2);
    const gained = now.filter((r) => !was.has(r));
    // Either nothing changed, or the newcomer replaced exactly one holder.
    expect(gained.length === 0 || (gained.length === 1 && gained[0] === 'r-new')).toBe(true);
    if (gained.length) moved++;
  }
  // The newcomer holds about 2/5 of the endpoints: roughly 200 of 500 move, not all of them.
  expect(moved).toBeGreaterThan(120);
  expect(moved).toBeLessThan(280);
});

test('rendezvous choice when a replica dies: only the endpoints it held move, each to one new holder', () => {
  const before = ids(5);
  const after = before.filter((r) => r !== 'r-2');
  for (let e = 0; e < 300; e++) {
    const endpoint = `endpoint-${e}`;
    const was = rendezvousOrder(endpoint, before).slice(0, 2);
    const now = rendezvousOrder(endpoint, after).slice(0, 2);
    if (!was.includes('r-2')) expect(now).toEqual(was);
    else expect(now.filter((r) => !was.includes(r))).toHaveLength(1);
  }
});

describe('choosePlacement', () => {
  const live = [
    { replicaId: 'a-0', labels: { pool: 'a' } },
    { replicaId: 'a-1', labels: { pool: 'a' } },
    { replicaId: 'b-0', labels: { pool: 'b' } },
    { replicaId: 'plain' },
  ];

  test('no pool and no count: no placement (every replica holds it)', () => {
    expect(choosePlacement('e', undefined, live, 1)).toBeUndefined();
    expect(choosePlacement('e', {}, live, 1)).toBeUndefined();
  });

  test('a pool alone: the selector, so every replica of the pool holds it (and any that joins later)', () => {
    expect(choosePlacement('e', { pool: 'a' }, live, 1)).toEqual({ selector: { pool: 'a' } });
  });

  test('a pool and a count: that many of the matching live replicas, by rendezvous order', () => {
    const placement = choosePlacement('e', { pool: 'a', replicas: 1 }, live, 1);
    expect(placement?.replicas).toEqual(rendezvousOrder('e', ['a-0', 'a-1']).slice(0, 1));
    expect(choosePlacement('e', { pool: 'a', replicas: 5 }, live, 1)?.replicas).toEqual(['a-0', 'a-1']);
  });

  test('sticky: a replica that joins the pool does not move an endpoint already placed', () => {
    const pool = (n: number) => Array.from({ length: n }, (_, i) => ({ replicaId: `r-${i}`, labels: { pool: 'a' } }));
    for (const endpoint of ['e', 'f', 'g', 'h', 'i', 'j']) {
      const placed = choosePlacement(endpoint, { pool: 'a', replicas: 2 }, pool(3), 1)?.replicas;
      expect(choosePlacement(endpoint, { pool: 'a', replicas: 2 }, pool(8), 1, placed)?.replicas).toEqual(placed);
    }
  });

  test('sticky: a chosen replica that is gone is replaced; the others stay; an excess is dropped by rendezvous order', () => {
    const ids = ['r-0', 'r-1', 'r-2', 'r-3', 'r-4'];
    const worst = rendezvousOrder('e', ids).slice(-2).sort(); // the two rendezvous would choose last
    const left = ids.filter((id) => id !== worst[0]).map((replicaId) => ({ replicaId, labels: { pool: 'a' } }));
    const now = choosePlacement('e', { pool: 'a', replicas: 2 }, left, 1, worst)?.replicas ?? [];
    expect(now).toContain(worst[1]);
    expect(now).toHaveLength(2);
    expect(now.filter((id) => id !== worst[1])).toEqual(
      rendezvousOrder(
        'e',
        ids.filter((id) => !worst.includes(id)),
      ).slice(0, 1),
    );
    expect(choosePlacement('e', { pool: 'a', replicas: 1 }, left, 1, worst)?.replicas).toEqual([worst[1]]);
    // A chosen replica that left the pool (other labels now) is replaced too.
    const relabeled = left.map((r) => (r.replicaId === worst[1] ? { ...r, labels: { pool: 'b' } } : r));
    expect(choosePlacement('e', { pool: 'a', replicas: 2 }, relabeled, 1, worst)?.replicas).not.toContain(worst[1]);
  });

  test('no live replica in the pool: fails clearly, unless none are required (then the selector waits for one)', () => {
    expect(() => choosePlacement('e', { pool: 'gpu-large' }, live, 1)).toThrow('no live replica with pool=gpu-large to place e on');
    expect(choosePlacement('e', { pool: 'gpu-large', replicas: 2 }, live, 0)).toEqual({ selector: { pool: 'gpu-large' } });
  });
});
