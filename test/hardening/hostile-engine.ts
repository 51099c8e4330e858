import type { AnyReply, EngineEvent, EngineRequestName } from '../../common/contract.js';
import type { EngineLike } from '../../main/host-bridge.js';
import { pick, random, type Random } from '../robustness/mutate.js';
import { hostileString, randomJson } from './adversarial.js';

/**
 * An engine that answers anything: values that break the reply contract, errors with hostile codes and messages,
 * thrown errors and non-errors, rejected promises. The host must turn all of it into well-formed replies.
 */
export class HostileEngine implements EngineLike {
  private readonly r: Random;
  calls = 0;

  constructor(seed: number) {
    this.r = random(seed);
  }

  onEvent(_listener: (e: EngineEvent) => void): () => void {
    return () => undefined;
  }

  async request(_name: EngineRequestName, _payload: unknown): Promise<AnyReply> {
    this.calls++;
    const r = this.r;
    return pick(r, [
      () => ({ ok: true as const, value: randomJson(r, 4) }),
      () => ({ ok: true as const, value: undefined }),
      // Engine error codes are never empty (the engine's are constants); their text can be anything.
      () => ({ ok: false as const, error: { code: hostileString(r).slice(0, 100) || 'EMPTY', message: hostileString(r) } }),
      () => {
        throw new Error(hostileString(r));
      },
      () => {
        throw Object.assign(new Error('typed'), { code: pick(r, ['BUSY', 42, null, {}, 'x'.repeat(1000)]) });
      },
      () => {
        throw pick(r, [null, undefined, 'a string', 42, { code: 'OBJECT' }, Symbol('s')]);
      },
      () => Promise.reject(new TypeError('rejected')),
    ])();
  }
}
