import { mulberry32 } from '../../util/random.js';
import type { CompactOptions, HeadBlock } from '../types.js';
import { EvictionMethod } from './common.js';

export interface RandomOptions {
  /** Used when compact() is given no seed. Default 0. */
  seed?: number;
}

/** Uniformly random slots; deterministic for a given seed. */
export class RandomEviction extends EvictionMethod {
  readonly name = 'random';
  private readonly seed: number;

  constructor(options: RandomOptions = {}) {
    super();
    this.seed = options.seed ?? 0;
  }

  async select(block: HeadBlock, t: number, opts: CompactOptions): Promise<Int32Array> {
    const rand = mulberry32(opts.seed ?? this.seed);
    const pool = Int32Array.from({ length: block.T }, (_, j) => j);
    // Partial Fisher–Yates: the first t entries become a uniform sample.
    for (let i = 0; i < t; i++) {
      const r = i + Math.floor(rand() * (block.T - i));
      const tmp = pool[i];
      pool[i] = pool[r];
      pool[r] = tmp;
    }
    return pool.slice(0, t).sort();
  }
}
