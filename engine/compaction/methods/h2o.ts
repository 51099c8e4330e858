import { attentionColumnSums, blockInput } from '../scores.js';
import { topK } from '../select.js';
import type { HeadBlock } from '../types.js';
import { EvictionMethod } from './common.js';

/** H2O: keep the keys with the largest attention accumulated over the block's own (causal) queries. */
export class HeavyHitters extends EvictionMethod {
  readonly name = 'h2o';
  protected override readonly needsQueries = true;

  select(block: HeadBlock, t: number): Int32Array {
    const sums = attentionColumnSums({ ...blockInput(block), positions: block.queryPositions });
    return topK(sums, t);
  }
}
