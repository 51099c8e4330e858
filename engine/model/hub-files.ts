import * as os from 'node:os';
import * as path from 'node:path';
import { LongreadError } from '../errors.js';
import type { RepoFile } from './hub-download.js';
import { MODEL_FILE_LIMITS, readRegularFile } from './regular-file.js';

/** Which files of a hub repository a model needs, and where the Hugging Face cache keeps them. */

/** What Longread reads besides the weights, when the repository has it (the tokenizer reads chat_template.jinja first). */
const SIDE_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'chat_template.json'];
export const SINGLE_WEIGHTS = 'model.safetensors';
export const WEIGHTS_INDEX = 'model.safetensors.index.json';

/**
 * The files a transformers-style model needs from its repository: the side files it has, and the weights as
 * transformers loads them: the index and the shards it names (`indexShards`, read from the index), else
 * model.safetensors. Other safetensors (Mistral's consolidated.safetensors, adapters) are left alone.
 */
export function selectModelFiles(listing: RepoFile[], indexShards?: string[]): string[] {
  const present = new Set(listing.map((f) => f.name));
  const names = SIDE_FILES.filter((name) => present.has(name));
  if (present.has(WEIGHTS_INDEX)) {
    if (!indexShards) throw new Error(`selectModelFiles: the listing has ${WEIGHTS_INDEX}; pass the shards it names`);
    names.push(WEIGHTS_INDEX, ...indexShards);
  } else if (present.has(SINGLE_WEIGHTS)) {
    names.push(SINGLE_WEIGHTS);
  }
  return [...new Set(names)].sort();
}

/** The shard files a downloaded model.safetensors.index.json names. */
export function readIndexShards(indexPath: string, url: string): string[] {
  const text = readRegularFile(indexPath, 'CORRUPT_SAFETENSORS', MODEL_FILE_LIMITS.index).toString('utf8');
  let weightMap: unknown;
  try {
    weightMap = (JSON.parse(text) as { weight_map?: unknown } | null)?.weight_map;
  } catch (e) {
    throw new LongreadError('CORRUPT_SAFETENSORS', `${WEIGHTS_INDEX} from ${url} is not valid JSON.`, { cause: e });
  }
  if (typeof weightMap !== 'object' || weightMap === null) throw new LongreadError('CORRUPT_SAFETENSORS', `${WEIGHTS_INDEX} from ${url} has no "weight_map".`);
  const shards = [...new Set(Object.values(weightMap))];
  const bad = shards.find((f) => typeof f !== 'string' || path.posix.basename(f) !== f || !f.endsWith('.safetensors'));
  if (bad !== undefined) {
    throw new LongreadError('CORRUPT_SAFETENSORS', `${WEIGHTS_INDEX} from ${url} names ${JSON.stringify(bad)}, not a .safetensors file beside it.`);
  }
  return (shards as string[]).sort();
}

/** Where huggingface_hub keeps its cache: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub (XDG-aware). */
export function hfHubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  const home = env.HF_HOME || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'huggingface');
  return path.join(home, 'hub');
}

/** The snapshot folder of a commit in a Hugging Face hub cache. */
export function hfSnapshotDir(cache: string, repo: string, commit: string): string {
  return path.join(cache, `models--${repo.replace('/', '--')}`, 'snapshots', commit);
}
