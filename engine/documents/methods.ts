import type { Method } from '../../common/contract.js';
import { createMethod } from '../compaction/registry.js';
import type { CompactionMethod } from '../compaction/types.js';

/**
 * The method behind each name a person can pick. Attention Matching uses the measured default (one β per head,
 * fitted values); its reference queries are always the document's own pooled with its repeat pass.
 */
export function compactionMethod(name: Method): CompactionMethod {
  switch (name) {
    case 'am':
      return createMethod('am', { betaSolver: 'bounded', betaMode: 'per-head', values: 'fit' });
    case 'am-omp':
      return createMethod('am-omp', { betaSolver: 'bounded', betaMode: 'per-slot', values: 'fit' });
    default:
      return createMethod(name);
  }
}
