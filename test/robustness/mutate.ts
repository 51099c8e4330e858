import { mulberry32 } from '../../engine/util/random.js';

export type Random = () => number;

export function random(seed: number): Random {
  return mulberry32(seed);
}

export function pick<T>(r: Random, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)];
}

/** Values that break naive readers: wrong types, out of range, huge, empty, nested. */
export function oddValue(r: Random): unknown {
  return pick(r, [
    () => -1,
    () => 0,
    () => 1,
    () => 2 ** 31,
    () => 2 ** 53 + 2,
    () => 1e300,
    () => -1e300,
    () => 1e-320,
    () => 0.5,
    () => Math.floor(r() * 1e9),
    () => NaN,
    () => Infinity,
    () => null,
    () => true,
    () => '',
    () => 'x',
    () => '12',
    () => [],
    () => [Math.floor(r() * 10)],
    () => [-1, 'a', null],
    () => Array.from({ length: 100 }, () => Math.floor(r() * 1000)),
    () => ({}),
    () => ({ a: 1 }),
    () => ({ __proto__: 1 }),
  ])();
}

/** Every path to a value in a JSON-like tree. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

/** A deep copy of `value` with one random node replaced, deleted, or (in a container) given an extra entry. */
export function mutateJson(value: unknown, r: Random): unknown {
  const copy = structuredClone(value);
  const all = paths(copy);
  const target = pick(r, all);
  if (target.length === 0) return r() < 0.5 ? oddValue(r) : copy;
  const parent = target.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], copy) as Record<string | number, unknown>;
  const key = target[target.length - 1];
  const action = r();
  if (action < 0.7) parent[key] = oddValue(r);
  else if (action < 0.85) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (Array.isArray(parent)) parent.push(oddValue(r));
  else parent[`${String(key)}_extra`] = oddValue(r);
  return copy;
}

/** A copy of `bytes` with a few random bytes set to random values (optionally only within [from, to)). */
export function flipBytes(bytes: Uint8Array, r: Random, from = 0, to = bytes.length): Buffer {
  const copy = Buffer.from(bytes);
  const count = 1 + Math.floor(r() * 4);
  for (let i = 0; i < count && to > from; i++) copy[from + Math.floor(r() * (to - from))] = Math.floor(r() * 256);
  return copy;
}
