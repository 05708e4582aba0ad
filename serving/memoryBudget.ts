/**
 * A replica's memory budget for models: what it may hold (`modelship serve --memory-budget`, by
 * default a share of the host's memory), what its loaded sessions take, as estimated at load (the
 * model's bytes once per instance: each instance holds its own session), and the refusal of a load
 * that would go beyond it.
 */
import { totalmem } from 'node:os';
import type { ModelSession } from '../runtime';

/** The share of the host's memory a replica gives its models unless told otherwise. */
export const DEFAULT_MEMORY_SHARE = 0.5;

/** Parses `4GiB`, `512MiB`, `2GB`, `1073741824` into bytes. */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(|B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$/i.exec(text);
  if (!match) throw new Error(`"${text}" is not a size: write it like 4GiB, 512MiB or 2GB`);
  const units: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
  return Math.floor(Number(match[1]) * (units[(match[2] ?? '').toLowerCase()] ?? 1));
}

/** `1.5 GiB`: bytes as people read them. */
export function formatByteSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export class MemoryBudget {
  private readonly held = new Map<object, number>();

  constructor(readonly budgetBytes: number = Math.floor(totalmem() * DEFAULT_MEMORY_SHARE)) {}

  /** What the sessions loaded (and not yet released) take. */
  get usedBytes(): number {
    let sum = 0;
    for (const bytes of this.held.values()) sum += bytes;
    return sum;
  }

  /** Throws, saying by how much, when `bytes` more for `what` would go beyond the budget. */
  admit(what: string, bytes: number): void {
    if (this.usedBytes + bytes <= this.budgetBytes) return;
    throw new Error(
      `${what} needs ~${formatByteSize(bytes)}, over this replica's memory budget of ${formatByteSize(this.budgetBytes)} ` +
        `(${formatByteSize(this.usedBytes)} in use): place it on a pool with more memory, or raise --memory-budget`,
    );
  }

  /**
   * `session` itself (the same object: its class and members intact), counted against the budget
   * until it is released: its `release` is wrapped in place.
   */
  charge<S extends ModelSession>(session: S, bytes: number): S {
    const key = {};
    this.held.set(key, bytes);
    const release = session.release.bind(session);
    session.release = async () => {
      this.held.delete(key);
      await release();
    };
    return session;
  }
}
