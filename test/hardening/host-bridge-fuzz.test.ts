import { describe, expect, it } from 'vitest';
import type { AnyReply } from '../../common/contract.js';
import { HostBridge, type EngineLike } from '../../main/host-bridge.js';
import { random } from '../robustness/mutate.js';
import { FakeEngine } from '../main/fake-engine.js';
import { adversarialPayload, requestName } from './adversarial.js';
import { FuzzTally, prototypeSnapshot } from './fuzz-tally.js';
import { HostileEngine } from './hostile-engine.js';

/**
 * HostBridge.handle, which every UI request passes (Electron IPC and HTTP alike), under thousands of malformed and
 * adversarial requests: with the fake engine, and with an engine that answers garbage or throws. Every call must
 * resolve, in time, to { ok: true, value } or { ok: false, error: { code, message } } with a non-empty code.
 */

const CASES = 3000;
const DEADLINE_MS = 2000;
const CONCURRENCY = 16;
/** The host's own codes, and the fake engine's; anything else came from the hostile engine and is tallied together. */
const KNOWN_CODES = new Set(['INVALID_REQUEST', 'UNKNOWN_REQUEST', 'UNSUPPORTED', 'INTERNAL', 'NOT_FOUND']);

function wellFormed(reply: unknown): string | null {
  if (!reply || typeof reply !== 'object') return `not an object: ${String(reply)}`;
  const r = reply as AnyReply;
  if (r.ok === true) return 'value' in r ? null : 'ok without a value';
  if (r.ok !== false) return `ok is ${String((r as { ok: unknown }).ok)}`;
  if (typeof r.error?.code !== 'string' || !r.error.code) return `error code ${String(r.error?.code)}`;
  if (typeof r.error.message !== 'string') return 'error without a message';
  return null;
}

async function fuzzBridge(tally: FuzzTally, seedBase: number, makeEngine: (seed: number) => EngineLike): Promise<void> {
  const engine = makeEngine(seedBase);
  const bridge = new HostBridge(engine, {
    transport: 'electron',
    version: '0',
    maxUploadBytes: 1000,
    pickModelFolder: async () => '/picked',
    pickDocument: async () => null,
    resolveUpload: (id) => (id === 'known-upload' ? { path: '/tmp/u', name: 'u.txt' } : null),
  });
  let next = 0;
  const worker = async () => {
    while (next < CASES) {
      const seed = seedBase + next++;
      const r = random(seed);
      const name = requestName(r);
      const payload = adversarialPayload(r, name);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), DEADLINE_MS)));
      try {
        const reply = await Promise.race([bridge.handle(name, payload), deadline]);
        if (reply === 'hang') tally.fail(seed, `${name}: no reply within ${DEADLINE_MS} ms`);
        else {
          const problem = wellFormed(reply);
          if (problem) tally.fail(seed, `${name}: ${problem}`);
          else tally.count(reply.ok ? 'ok' : KNOWN_CODES.has(reply.error.code) ? reply.error.code : 'engine error passed on');
        }
      } catch (e) {
        tally.fail(seed, `${name}: handle threw ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

describe('HostBridge.handle under fuzzing', () => {
  it(`answers ${CASES} adversarial requests with well-formed replies (fake engine)`, async () => {
    const polluted = prototypeSnapshot();
    const tally = new FuzzTally('host bridge, fake engine');
    await fuzzBridge(tally, 2_000_000, () => {
      const engine = new FakeEngine();
      engine.tokenDelayMs = 0;
      return engine;
    });
    console.log(tally.summary());
    expect(tally.failures).toEqual([]);
    expect(polluted()).toEqual([]);
    expect(tally.outcomes.get('INVALID_REQUEST')).toBeGreaterThan(CASES / 4);
    expect(tally.outcomes.get('UNKNOWN_REQUEST')).toBeGreaterThan(0);
  });

  it(`answers ${CASES} adversarial requests with well-formed replies (an engine that answers garbage or throws)`, async () => {
    const polluted = prototypeSnapshot();
    const tally = new FuzzTally('host bridge, hostile engine');
    await fuzzBridge(tally, 3_000_000, (seed) => new HostileEngine(seed));
    console.log(tally.summary());
    expect(tally.failures).toEqual([]);
    expect(polluted()).toEqual([]);
    expect(tally.outcomes.get('INTERNAL')).toBeGreaterThan(0);
  });
});
