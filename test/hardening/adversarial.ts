import { REQUEST_NAMES, type RequestName } from '../../common/contract.js';
import { mutateJson, oddValue, pick, type Random } from '../robustness/mutate.js';
import { SAMPLE_REQUESTS } from './sample-requests.js';

/**
 * Malformed and adversarial API inputs, drawn from a seeded generator so a failing case can be replayed: mutated
 * valid requests, random JSON, hostile strings, prototype-pollution keys, deep nesting, numbers out of range.
 */

/** Strings that break naive handlers: huge, NUL, traversal, other schemes, unicode edge cases, injection bait. */
export function hostileString(r: Random): string {
  return pick(r, [
    () => '',
    () => ' ',
    () => 'a'.repeat(1 + Math.floor(r() * 70)),
    () => 'x'.repeat(1_000_001),
    () => 'doc\u0000id',
    () => '\u0000',
    () => '../../../../etc/passwd',
    () => '..\\..\\Windows\\System32\\config\\SAM',
    () => '/dev/zero',
    () => '/proc/self/environ',
    () => '\\\\?\\C:\\',
    () => 'file:///etc/shadow',
    () => 'http://169.254.169.254/latest/meta-data/',
    () => '%2e%2e%2f%00',
    () => '\u202egnp.exe',
    () => '\ud800',
    () => '😀'.repeat(5000),
    () => '<img src=x onerror=alert(1)>',
    () => "'; DROP TABLE documents; --",
    () => '{{ 7 * 7 }}{% for x in range(99999999) %}',
    () => '${process.exit()}',
    () => '__proto__',
    () => 'constructor',
    () => 'prototype',
    () => 'toString',
    () => 'hasOwnProperty',
    () => 'NaN',
    () => '1e309',
    () => '-0',
  ])();
}

/** A random JSON-like value, nested up to `depth`. */
export function randomJson(r: Random, depth = 3): unknown {
  const kind = Math.floor(r() * (depth > 0 ? 8 : 5));
  switch (kind) {
    case 0:
      return oddValue(r);
    case 1:
      return hostileString(r);
    case 2:
      return pick(r, [0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, Number.MIN_VALUE, -0]);
    case 3:
      return pick(r, [true, false, null]);
    case 4:
      return pick(r, REQUEST_NAMES);
    case 5:
      return Array.from({ length: Math.floor(r() * 5) }, () => randomJson(r, depth - 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 5); i > 0; i--) object[r() < 0.3 ? hostileString(r).slice(0, 80) : pick(r, ['operationId', 'documentId', 'source', 'path', 'ratio', 'generation', 'messages'])] = randomJson(r, depth - 1);
      return object;
    }
  }
}

/** Objects whose own keys are __proto__ / constructor.prototype, as JSON.parse makes them. */
export function pollutionAttempt(r: Random, base: unknown): unknown {
  const poison = '{"polluted":"yes","toString":"no"}';
  const json = JSON.stringify(base && typeof base === 'object' && !Array.isArray(base) ? base : {});
  const inner = json.slice(1, -1);
  const extra = pick(r, [`"__proto__":${poison}`, `"constructor":{"prototype":${poison}}`, `"prototype":${poison}`, `"__proto__":"x"`]);
  const patched = JSON.parse(`{${inner}${inner ? ',' : ''}${extra}}`) as Record<string, unknown>;
  // Also one level down, where a schema has a record (templateVariables) or a nested object (source, generation).
  if (r() < 0.5) for (const key of ['generation', 'source', 'range']) if (key in patched) patched[key] = JSON.parse(`{${extra}}`);
  return patched;
}

/** Arrays nested `depth` deep, built without recursion. */
export function deepNesting(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** A request name to try: a real one most of the time, otherwise an unknown or hostile one. */
export function requestName(r: Random): string {
  return r() < 0.8 ? pick(r, REQUEST_NAMES) : pick(r, ['', 'formatDisk', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'status ', 'STATUS', 'status\u0000', '../status', 'a'.repeat(10_000)]);
}

/** A malformed or adversarial payload for `name`, by one of several strategies. */
export function adversarialPayload(r: Random, name: string): unknown {
  const sample = Object.hasOwn(SAMPLE_REQUESTS, name) ? SAMPLE_REQUESTS[name as RequestName] : {};
  return pick(r, [
    () => mutateJson(sample, r),
    () => mutateJson(mutateJson(sample, r), r),
    () => randomJson(r),
    () => pollutionAttempt(r, sample),
    () => ({ ...(sample as object), [pick(r, ['operationId', 'documentId', 'libraryId', 'question', 'prompt', 'ratio', 'repo'])]: hostileString(r) }),
    () => ({ ...(sample as object), ratio: pick(r, [0, -1, 1.0000001, 1e308, NaN, Infinity, '0.5', null]) }),
    () => ({ ...(sample as object), generation: { maxTokens: pick(r, [0, -5, 32_769, 1e12, 2.5, '10']), sampling: randomJson(r, 2) } }),
    () => ({ ...(sample as object), messages: deepNesting(1000 + Math.floor(r() * 50_000)) }),
    () => ({ ...(sample as object), templateVariables: JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":"x"}') }),
    () => undefined,
    () => null,
    () => sample,
  ])();
}

/** The valid sample for a name, for mixing valid traffic into the adversarial one. */
export function validPayload(name: RequestName): unknown {
  return SAMPLE_REQUESTS[name];
}
