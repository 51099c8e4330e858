import type { HeadBlock } from '../types.js';
import { EvictionMethod } from './common.js';

export interface StreamingOptions {
  /** Leading slots always kept (attention sinks). Default 4. */
  sinks?: number;
}

/** StreamingLLM: the block's first `sinks` slots plus the most recent ones. */
export class Streaming extends EvictionMethod {
  readonly name = 'streaming';
  private readonly sinks: number;

  constructor(options: StreamingOptions = {}) {
    super();
    this.sinks = Math.max(0, Math.floor(options.sinks ?? 4));
  }

  async select(block: HeadBlock, t: number): Promise<Int32Array> {
    const head = Math.min(this.sinks, t);
    const out = new Int32Array(t);
    for (let j = 0; j < head; j++) out[j] = j;
    for (let r = 0; r < t - head; r++) out[head + r] = block.T - (t - head) + r;
    return out;
  }
}
