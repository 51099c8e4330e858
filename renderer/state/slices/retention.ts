import type { ReplyError, Retention } from '../../../common/contract.js';

export interface HeadChoice {
  layer: number | null;
  head: number | null;
}

export interface RetentionSlice {
  data: Retention | null;
  /** What the text is shaded by: all heads, one layer (head null) or one (layer, head). */
  choice: HeadChoice;
  /** Every head's kept tokens and β fetched so far for `data`, layer-major; filled lazily. */
  headTokens: (Int32Array | undefined)[];
  headBeta: (Float32Array | undefined)[];
  hoveredToken: number | null;
  loading: boolean;
  error: ReplyError | null;
  /** Which grid view the canvas draws. */
  gridMetric: 'retention' | 'beta';
}

export const initialRetention = (): RetentionSlice => ({
  data: null,
  choice: { layer: null, head: null },
  headTokens: [],
  headBeta: [],
  hoveredToken: null,
  loading: false,
  error: null,
  gridMetric: 'retention',
});
