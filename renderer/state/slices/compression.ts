import type { Method, ReplyError, ViewInfo } from '../../../common/contract.js';
import type { CurvePoint } from '../../lib/fidelity-plot.js';
import { DEFAULT_METHOD, DEFAULT_RATIO } from '../../lib/methods.js';

export interface CompressionSlice {
  method: Method;
  /** What the slider shows: the ratio asked for, which the engine's view catches up with. */
  ratio: number;
  /** What the engine last compacted the document to. */
  view: ViewInfo | null;
  /** The latest re-compaction in flight; replies to older ones are ignored. */
  pendingOperationId: string | null;
  error: ReplyError | null;
  curve: { method: Method; points: CurvePoint[] } | null;
  curveOperationId: string | null;
}

export const initialCompression = (): CompressionSlice => ({
  method: DEFAULT_METHOD,
  ratio: DEFAULT_RATIO,
  view: null,
  pendingOperationId: null,
  error: null,
  curve: null,
  curveOperationId: null,
});
