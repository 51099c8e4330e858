import type { CatalogEntry, ReplyError } from '../../../common/contract.js';
import type { Progress } from '../progress.js';

export interface Download {
  operationId: string | null;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  progress: Progress | null;
  error: ReplyError | null;
  modelDir: string | null;
}

export interface CatalogSlice {
  entries: CatalogEntry[] | null;
  error: ReplyError | null;
  /** By repo. */
  downloads: Record<string, Download>;
}

export const initialCatalog = (): CatalogSlice => ({ entries: null, error: null, downloads: {} });
