import { topK } from '../select.js';
import type { HeadBlock } from '../types.js';
import { EvictionMethod } from './common.js';

/** K-norm: keep the keys with the smallest L2 norm (they tend to draw the most attention). */
export class KeyNorm extends EvictionMethod {
  readonly name = 'knorm';

  async select(block: HeadBlock, t: number): Promise<Int32Array> {
    const { keys, T, d } = block;
    const negNorm = new Float64Array(T);
    for (let j = 0; j < T; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += keys[j * d + k] * keys[j * d + k];
      negNorm[j] = -Math.sqrt(s);
    }
    return topK(negNorm, t);
  }
}
