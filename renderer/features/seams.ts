import type { ReactNode } from 'react';

/**
 * Places in the layout reserved for features that are not built yet. Each one is a typed slot: the feature supplies
 * its element and the App renders it where it belongs. Nothing here carries data until the feature exists.
 */
export interface AppSlots {
  /** Above the conversation: where a dropped document (txt, md, pdf, docx, html) is read into the cache. */
  documentArea?: ReactNode;
  /** In the model panel: the memory/fidelity trade-off of Attention Matching compaction. */
  compressionControl?: ReactNode;
  /** Beside the cache meter: which of the document's tokens the compacted cache retains. */
  retentionView?: ReactNode;
}

/** What the document drop zone will hand to the engine side. */
export interface DroppedDocument {
  name: string;
  mediaType: string;
  bytes: ArrayBuffer;
}

/** The compression slider's value: the fraction of the document's KV rows kept after compaction. */
export interface CompressionSetting {
  keepRatio: number;
}

/** One span of document tokens and whether compaction kept it, for the retained-token visualizer. */
export interface RetainedSpan {
  startToken: number;
  endToken: number;
  retained: boolean;
}
