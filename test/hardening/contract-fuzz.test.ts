import { describe, expect, it } from 'vitest';
import { describeIssues, engineEnvelopeSchema, engineEventSchema, REQUEST_NAMES, replyValueSchemas, requestSchemas } from '../../common/contract.js';
import { random } from '../robustness/mutate.js';
import { adversarialPayload, randomJson } from './adversarial.js';
import { FuzzTally, prototypeSnapshot } from './fuzz-tally.js';

/**
 * The contract's validators (common/contract.ts) on malformed and adversarial input: every schema the hosts and the
 * engine check with. Each input must be accepted or refused with issues a person can read; never a throw, never a
 * slow parse, never a polluted prototype. Seeded: a failure names its seed.
 */

const CASES_PER_REQUEST = 600;
const CASES_PER_OTHER_SCHEMA = 150;
const SLOW_MS = 250;

type Schema = { safeParse(input: unknown): { success: boolean; data?: unknown; error?: { issues: { path: PropertyKey[]; message: string }[] } } };

function check(tally: FuzzTally, seed: number, schema: Schema, input: unknown): void {
  const t0 = performance.now();
  let result: ReturnType<Schema['safeParse']>;
  try {
    result = schema.safeParse(input);
  } catch (e) {
    tally.fail(seed, `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return;
  }
  const ms = performance.now() - t0;
  if (ms > SLOW_MS) return tally.fail(seed, `took ${ms.toFixed(0)} ms`);
  if (result.success) {
    const data = result.data;
    if (data && typeof data === 'object' && Object.hasOwn(data, '__proto__')) return tally.fail(seed, 'accepted an own __proto__ key');
    const again = schema.safeParse(data);
    if (!again.success) return tally.fail(seed, `its own output does not validate: ${describeIssues(again.error!.issues)}`);
    return tally.count('accepted');
  }
  const message = describeIssues(result.error!.issues);
  if (!message.trim()) return tally.fail(seed, 'refused without a message');
  tally.count('refused');
}

describe('contract validators under fuzzing', () => {
  it(`refuse or accept ${CASES_PER_REQUEST} adversarial payloads per request cleanly`, () => {
    const polluted = prototypeSnapshot();
    const tally = new FuzzTally('contract requests');
    REQUEST_NAMES.forEach((name, n) => {
      for (let i = 0; i < CASES_PER_REQUEST; i++) {
        const seed = 10_000 * (n + 1) + i;
        check(tally, seed, requestSchemas[name], adversarialPayload(random(seed), name));
      }
    });
    console.log(tally.summary());
    expect(tally.failures).toEqual([]);
    expect(polluted()).toEqual([]);
    expect(tally.outcomes.get('refused')).toBeGreaterThan(tally.cases / 2);
    expect(tally.outcomes.get('accepted')).toBeGreaterThan(0);
  });

  it('refuse or accept random replies, events and process envelopes cleanly', () => {
    const polluted = prototypeSnapshot();
    const tally = new FuzzTally('contract replies, events, envelopes');
    const schemas: [string, Schema][] = [...Object.entries(replyValueSchemas), ['event', engineEventSchema], ['envelope', engineEnvelopeSchema]];
    schemas.forEach(([, schema], n) => {
      for (let i = 0; i < CASES_PER_OTHER_SCHEMA; i++) {
        const seed = 900_000 + 1000 * n + i;
        const r = random(seed);
        const value = randomJson(r, 4);
        check(tally, seed, schema, r() < 0.5 ? value : { type: 'token', kind: 'reply', id: 1, ok: r() < 0.5, operationId: 'x', value, payload: value });
      }
    });
    console.log(tally.summary());
    expect(tally.failures).toEqual([]);
    expect(polluted()).toEqual([]);
  });
});
