/**
 * An artifact store that counts the requests made through it, by S3 price class: LIST (list,
 * listObjects), PUT (put, putFile, touch, delete) and GET (get, getStream, exists). Used by tests
 * that pin what reconciling costs, and by `bench/scale.ts`.
 */
import type { ArtifactStore } from '../../store';

export interface RequestCounts {
  list: number;
  put: number;
  get: number;
}

const CLASS_OF: Record<string, keyof RequestCounts> = {
  list: 'list',
  listObjects: 'list',
  put: 'put',
  putFile: 'put',
  touch: 'put',
  delete: 'put',
  get: 'get',
  getStream: 'get',
  exists: 'get',
};

/** `store` with every request counted into `counts` (shared, so several wrappers can add to one tally). */
export function countingStore(store: ArtifactStore, counts: RequestCounts = { list: 0, put: 0, get: 0 }): { store: ArtifactStore; counts: RequestCounts } {
  const counted = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      const kind = typeof property === 'string' ? CLASS_OF[property] : undefined;
      if (!kind || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counts[kind]++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: counted, counts };
}
