import { defaultCacheRoot } from '../graph/convert.js';
import { SYNTHETIC_PREFIX, syntheticCheckpoint } from '../model/synthetic.js';

/** A model argument is a folder, or synthetic:NAME for a random-weight checkpoint of a real config. */
export async function resolveModelDir(model: string, cacheRoot = defaultCacheRoot(), log?: (m: string) => void): Promise<string> {
  if (!model.startsWith(SYNTHETIC_PREFIX)) return model;
  return syntheticCheckpoint(model.slice(SYNTHETIC_PREFIX.length), { cacheRoot, onProgress: log });
}
