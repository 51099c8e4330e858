import { scoreInput } from '../attention-ops.js';
import { topK } from '../select.js';
import type { CompactOptions, HeadBlock } from '../types.js';
import { EvictionMethod } from './common.js';

/** H2O: keep the keys with the largest attention accumulated over the block's own (causal) queries. */
export class HeavyHitters extends EvictionMethod {
  readonly name = 'h2o';
  protected override readonly needsQueries = true;

  async select(block: HeadBlock, t: number, { ops }: CompactOptions): Promise<Int32Array> {
    const sums = await ops.columnSums(scoreInput(block), block.queryPositions);
    return topK(sums, t);
  }
}
