import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LongreadError } from '../errors.js';
import { foreignMessage } from './foreign-message.js';
import { fileError, MODEL_FILE_LIMITS, openRegularFile, readRegularFile } from './regular-file.js';
import { readExactly, readSafetensorsHeaderFd, readTensorF32, type SafetensorsHeader } from './safetensors.js';
import type { TensorInfo, TensorSource } from './tensor-types.js';

/** Absolute paths of the files of a Hugging Face model folder; null where an optional file is absent. */
export interface CheckpointFiles {
  config: string;
  generationConfig: string | null;
  tokenizer: string;
  tokenizerConfig: string | null;
  /** model.safetensors.index.json of a sharded checkpoint. */
  index: string | null;
  /** The safetensors files holding the weights, sorted. */
  weights: string[];
}

export interface Checkpoint extends TensorSource {
  readonly dir: string;
  readonly config: Record<string, unknown>;
  readonly generationConfig: Record<string, unknown> | null;
  readonly files: CheckpointFiles;
  /** A sha256 hex digest identifying this model's config and weights; see `fingerprintWeights`. */
  fingerprint(): string;
  /** Closes the weight files; reading afterwards throws. */
  close(): void;
}

const SINGLE_WEIGHTS = 'model.safetensors';
const INDEX = 'model.safetensors.index.json';
const WHAT_A_MODEL_FOLDER_NEEDS =
  'A model folder needs config.json, tokenizer.json and model.safetensors ' +
  '(or model-0000X-of-0000N.safetensors shards with model.safetensors.index.json), as downloaded from Hugging Face.';

export function openCheckpoint(dir: string): Checkpoint {
  const root = path.resolve(dir);
  const present = listFolder(root);
  if (!present.includes('config.json')) {
    const found = present.length ? `it contains: ${present.slice(0, 20).join(', ')}${present.length > 20 ? ', …' : ''}` : 'it is empty';
    throw new LongreadError('NOT_A_MODEL_FOLDER', `${root} is not a model folder: it has no config.json (${found}). ${WHAT_A_MODEL_FOLDER_NEEDS}`);
  }
  const optional = (name: string) => (present.includes(name) ? path.join(root, name) : null);
  const configPath = path.join(root, 'config.json');
  const configBytes = readRegularFile(configPath, 'BAD_CONFIG', MODEL_FILE_LIMITS.config);
  const config = parseJsonObject(configBytes, configPath);
  const generationConfigPath = optional('generation_config.json');
  const generationConfig = generationConfigPath
    ? parseJsonObject(readRegularFile(generationConfigPath, 'BAD_CONFIG', MODEL_FILE_LIMITS.config), generationConfigPath)
    : null;
  if (!present.includes('tokenizer.json')) {
    throw new LongreadError('MISSING_FILE', `${root} has no tokenizer.json; Longread needs it to tokenize text. ${WHAT_A_MODEL_FOLDER_NEEDS}`);
  }
  const indexPath = optional(INDEX);
  const weightMap = indexPath ? readWeightMap(indexPath) : null;
  const weights = indexPath && weightMap ? shardsFromIndex(root, weightMap, present) : [singleWeightsFile(root, present)];

  const fds = new Map<string, number>();
  try {
    const headers: SafetensorsHeader[] = [];
    for (const file of weights) {
      const { fd } = openRegularFile(file, 'MISSING_FILE');
      fds.set(file, fd);
      headers.push(readSafetensorsHeaderFd(fd, file));
    }
    const tensors = indexPath && weightMap ? tensorsFromIndex(indexPath, weightMap, headers) : tensorsOf(headers[0]);
    const files: CheckpointFiles = {
      config: configPath,
      generationConfig: generationConfigPath,
      tokenizer: path.join(root, 'tokenizer.json'),
      tokenizerConfig: optional('tokenizer_config.json'),
      index: indexPath,
      weights,
    };
    return new SafetensorsCheckpoint(root, config, generationConfig, files, configBytes, tensors, headers, fds);
  } catch (e) {
    for (const fd of fds.values()) fs.closeSync(fd);
    throw e;
  }
}

function listFolder(root: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    throw new LongreadError('NOT_A_MODEL_FOLDER', `${root} does not exist. ${WHAT_A_MODEL_FOLDER_NEEDS}`);
  }
  if (!stat.isDirectory()) {
    throw new LongreadError('NOT_A_MODEL_FOLDER', `${root} is a file, not a folder. ${WHAT_A_MODEL_FOLDER_NEEDS}`);
  }
  try {
    return fs.readdirSync(root).sort();
  } catch (e) {
    throw fileError('NOT_A_MODEL_FOLDER', root, e);
  }
}

function parseJsonObject(bytes: Buffer, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new LongreadError('BAD_CONFIG', `${file} is not valid JSON: ${foreignMessage(e)}`, { cause: e });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LongreadError('BAD_CONFIG', `${file} must contain a JSON object.`);
  }
  return value as Record<string, unknown>;
}

function singleWeightsFile(root: string, present: string[]): string {
  if (present.includes(SINGLE_WEIGHTS)) return path.join(root, SINGLE_WEIGHTS);
  const shards = present.filter((f) => f.endsWith('.safetensors'));
  const hint = shards.length
    ? `It has ${shards.join(', ')} but no ${INDEX} saying which tensor is in which file.`
    : 'It has no .safetensors files.';
  throw new LongreadError('MISSING_FILE', `${root} has no ${SINGLE_WEIGHTS} and no ${INDEX}. ${hint}`);
}

/** More shards than any real checkpoint has; each one is an open file while the model loads. */
const MAX_SHARDS = 4096;

function readWeightMap(indexPath: string): Map<string, string> {
  const text = readRegularFile(indexPath, 'CORRUPT_SAFETENSORS', MODEL_FILE_LIMITS.index).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LongreadError('CORRUPT_SAFETENSORS', `${indexPath} is not valid JSON: ${foreignMessage(e)}`, { cause: e });
  }
  const weightMap = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new LongreadError('CORRUPT_SAFETENSORS', `${indexPath} has no "weight_map" object.`);
  }
  const map = new Map<string, string>();
  for (const [tensor, file] of Object.entries(weightMap)) {
    // Shards must sit next to the index: a path like "../x" would read outside the model folder.
    if (typeof file !== 'string' || path.basename(file) !== file || !file.endsWith('.safetensors')) {
      throw new LongreadError('CORRUPT_SAFETENSORS', `${indexPath} maps tensor "${tensor}" to ${JSON.stringify(file)}, not a .safetensors file in the same folder.`);
    }
    map.set(tensor, file);
  }
  return map;
}

function shardsFromIndex(root: string, weightMap: Map<string, string>, present: string[]): string[] {
  const shards = [...new Set(weightMap.values())].sort();
  if (shards.length > MAX_SHARDS) {
    throw new LongreadError('CORRUPT_SAFETENSORS', `${path.join(root, INDEX)} lists ${shards.length} weight files; Longread opens at most ${MAX_SHARDS}.`);
  }
  const missing = shards.filter((s) => !present.includes(s));
  if (missing.length) {
    throw new LongreadError(
      'MISSING_FILE',
      `${root} is missing weight shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} listed in ${INDEX}.`,
    );
  }
  return shards.map((s) => path.join(root, s));
}

function tensorsOf(header: SafetensorsHeader): Map<string, TensorInfo> {
  return new Map(header.tensors.map((t) => [t.name, t]));
}

function tensorsFromIndex(indexPath: string, weightMap: Map<string, string>, headers: SafetensorsHeader[]): Map<string, TensorInfo> {
  const byShard = new Map(headers.map((h) => [path.basename(h.file), tensorsOf(h)]));
  const tensors = new Map<string, TensorInfo>();
  for (const [name, shard] of weightMap) {
    const info = byShard.get(shard)?.get(name);
    if (!info) {
      throw new LongreadError('CORRUPT_SAFETENSORS', `Tensor "${name}" is listed in ${indexPath} as being in ${shard}, but ${shard} does not contain it.`);
    }
    tensors.set(name, info);
  }
  return tensors;
}

const SAMPLE_COUNT = 16;
const SAMPLE_BYTES = 64 * 1024;

/**
 * Identifies a model without reading all of it: sha256 over config.json and, per weight file, its size, its
 * whole safetensors header (names, shapes, dtypes, offsets) and 16 evenly spaced 64 KiB blocks of its data
 * (all of it if smaller). A multi-GB model fingerprints in milliseconds, and a different model, a re-quantized
 * or re-exported one, or a changed header all change it. A single edited weight outside the sampled blocks does
 * not; that trade-off is deliberate, since the fingerprint only has to tell models apart, not detect tampering.
 */
export function fingerprintWeights(configBytes: Uint8Array, weights: { header: SafetensorsHeader; fd: number }[]): string {
  const hash = createHash('sha256');
  hash.update('longread-model-fingerprint-v1\0');
  hash.update(`config ${configBytes.byteLength}\0`);
  hash.update(configBytes);
  const block = Buffer.alloc(SAMPLE_BYTES);
  for (const { header, fd } of weights) {
    hash.update(`weights ${path.basename(header.file)} ${header.fileSize} ${header.rawHeader.length}\0`);
    hash.update(header.rawHeader);
    const dataBytes = header.fileSize - header.dataOffset;
    if (dataBytes <= SAMPLE_COUNT * SAMPLE_BYTES) {
      const all = Buffer.alloc(dataBytes);
      readExactly(fd, all, header.dataOffset, header.file);
      hash.update(all);
      continue;
    }
    const stride = (dataBytes - SAMPLE_BYTES) / (SAMPLE_COUNT - 1);
    for (let i = 0; i < SAMPLE_COUNT; i++) {
      readExactly(fd, block, header.dataOffset + Math.floor(i * stride), header.file);
      hash.update(block);
    }
  }
  return hash.digest('hex');
}

class SafetensorsCheckpoint implements Checkpoint {
  private closed = false;

  constructor(
    readonly dir: string,
    readonly config: Record<string, unknown>,
    readonly generationConfig: Record<string, unknown> | null,
    readonly files: CheckpointFiles,
    private readonly configBytes: Buffer,
    private readonly tensors: Map<string, TensorInfo>,
    private readonly headers: SafetensorsHeader[],
    private readonly fds: Map<string, number>,
  ) {}

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  names(): string[] {
    return [...this.tensors.keys()].sort();
  }

  info(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (!info) throw new LongreadError('MISSING_TENSOR', `The checkpoint in ${this.dir} has no tensor "${name}".`);
    return info;
  }

  readF32(name: string): Float32Array {
    const info = this.info(name);
    return readTensorF32(this.fd(info.file), info);
  }

  fingerprint(): string {
    return fingerprintWeights(
      this.configBytes,
      this.headers.map((header) => ({ header, fd: this.fd(header.file) })),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of this.fds.values()) fs.closeSync(fd);
  }

  private fd(file: string): number {
    if (this.closed) throw new LongreadError('BAD_ARGUMENT', `The checkpoint in ${this.dir} was closed.`);
    const fd = this.fds.get(file);
    if (fd === undefined) throw new LongreadError('MISSING_FILE', `${file} is not part of the checkpoint in ${this.dir}.`);
    return fd;
  }
}
