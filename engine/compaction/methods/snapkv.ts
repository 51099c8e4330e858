import { LongreadError } from '../../errors.js';
import { topK } from '../select.js';
import type { CompactOptions, HeadBlock } from '../types.js';
import { EvictionMethod } from './common.js';

export interface SnapKvOptions {
  /** Width of the 1-D max-pooling over key positions (odd). Default 7. */
  kernel?: number;
}

/** SnapKV: attention from the observation window (the document's last queries), max-pooled along positions. */
export class SnapKv extends EvictionMethod {
  readonly name = 'snapkv';
  private readonly half: number;

  constructor(options: SnapKvOptions = {}) {
    super();
    this.half = Math.max(0, Math.floor((options.kernel ?? 7) / 2));
  }

  async select(block: HeadBlock, t: number, { ops }: CompactOptions): Promise<Int32Array> {
    const { windowQueries, windowN } = block;
    if (!windowQueries || !windowN) {
      throw new LongreadError('BAD_ARGUMENT', 'snapkv needs block.windowQueries and block.windowN ≥ 1');
    }
    const { keys, bias, T, d, scale } = block;
    const sums = await ops.columnSums({ queries: windowQueries, n: windowN, keys, bias, T, d, scale });
    const pooled = new Float64Array(T);
    for (let j = 0; j < T; j++) {
      let m = -Infinity;
      for (let k = Math.max(0, j - this.half); k <= Math.min(T - 1, j + this.half); k++) if (sums[k] > m) m = sums[k];
      pooled[j] = m;
    }
    return topK(pooled, t);
  }
}
