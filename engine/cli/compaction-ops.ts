import type { AttentionOps } from '../compaction/attention-ops.js';
import { jsAttentionOps } from '../compaction/js-attention-ops.js';
import { AttentionKernels } from '../kernels/attention-kernels.js';
import { OrtAttentionOps } from '../kernels/ort-attention-ops.js';

/** Help text of the flag every compacting command shares. */
export const JS_COMPACTION_HELP = '--js-compaction runs compaction\'s heavy products in JS loops instead of onnxruntime (the default, as in the app).';

/**
 * The backend a command compacts with: onnxruntime kernels, as the app uses, unless `--js-compaction` asks for the
 * JS reference loops. `close` releases the kernels' sessions.
 */
export function compactionOps(jsCompaction: boolean, threads = 0): { ops: AttentionOps; close: () => Promise<void> } {
  if (jsCompaction) return { ops: jsAttentionOps, close: async () => {} };
  const kernels = new AttentionKernels(threads);
  return { ops: new OrtAttentionOps(kernels), close: () => kernels.close() };
}
