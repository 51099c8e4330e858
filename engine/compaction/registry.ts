import { LongreadError } from '../errors.js';
import { AttentionMatching, type AmOptions } from './methods/am.js';
import { AttentionMatchingOmp, type AmOmpOptions } from './methods/am-omp.js';
import { HeavyHitters } from './methods/h2o.js';
import { KeyNorm } from './methods/knorm.js';
import { NoCompaction } from './methods/none.js';
import { RandomEviction, type RandomOptions } from './methods/random.js';
import { SnapKv, type SnapKvOptions } from './methods/snapkv.js';
import { Streaming, type StreamingOptions } from './methods/streaming.js';

type NoOptions = Record<string, never>;

export interface MethodOptionsMap {
  am: AmOptions;
  'am-omp': AmOmpOptions;
  streaming: StreamingOptions;
  h2o: NoOptions;
  snapkv: SnapKvOptions;
  knorm: NoOptions;
  random: RandomOptions;
  none: NoOptions;
}

export interface MethodMap {
  am: AttentionMatching;
  'am-omp': AttentionMatchingOmp;
  streaming: Streaming;
  h2o: HeavyHitters;
  snapkv: SnapKv;
  knorm: KeyNorm;
  random: RandomEviction;
  none: NoCompaction;
}

export type MethodName = keyof MethodMap;

const FACTORIES: { [N in MethodName]: (options: MethodOptionsMap[N]) => MethodMap[N] } = {
  am: (o) => new AttentionMatching(o),
  'am-omp': (o) => new AttentionMatchingOmp(o),
  streaming: (o) => new Streaming(o),
  h2o: () => new HeavyHitters(),
  snapkv: (o) => new SnapKv(o),
  knorm: () => new KeyNorm(),
  random: (o) => new RandomEviction(o),
  none: () => new NoCompaction(),
};

export const METHOD_NAMES = Object.keys(FACTORIES) as readonly MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(FACTORIES, name);
}

export function createMethod<N extends MethodName>(name: N, options?: MethodOptionsMap[N]): MethodMap[N];
export function createMethod(name: string, options?: object): MethodMap[MethodName];
export function createMethod(name: string, options: object = {}): MethodMap[MethodName] {
  if (!isMethodName(name)) {
    throw new LongreadError('BAD_ARGUMENT', `unknown compaction method "${name}"; known: ${METHOD_NAMES.join(', ')}`);
  }
  const factory = FACTORIES[name] as (o: object) => MethodMap[MethodName];
  return factory(options);
}
