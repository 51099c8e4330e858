import type { Method } from '../../common/contract.js';

/** The compaction methods a person can pick, in the order the picker lists them (the first is the default). */
export const METHOD_LABELS: Record<Method, string> = {
  am: 'Attention Matching',
  'am-omp': 'AM-OMP',
  snapkv: 'SnapKV',
  streaming: 'StreamingLLM',
  h2o: 'H2O',
  knorm: 'KNorm',
};

export const METHOD_HINTS: Record<Method, string> = {
  am: 'Fits the kept keys and values so attention over them matches the full cache (default)',
  'am-omp': 'Attention Matching with greedy key selection: slower, often more faithful',
  snapkv: 'Keeps the tokens the reference queries attended to most',
  streaming: 'Keeps the first tokens and the most recent ones',
  h2o: 'Keeps the heavy hitters: tokens with the most accumulated attention',
  knorm: 'Keeps the tokens whose keys have the smallest norm',
};

export const METHODS_IN_ORDER = Object.keys(METHOD_LABELS) as Method[];

/** Mirrors the contract's values (the renderer imports it for types only; a test keeps the two equal). */
export const DEFAULT_METHOD: Method = 'am';
export const DEFAULT_RATIO = 0.2;
export const MIN_RATIO = 0.01;

export function isMethod(value: string): value is Method {
  return value in METHOD_LABELS;
}
