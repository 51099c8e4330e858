import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LongreadError } from '../errors.js';
import { foreignMessage } from '../model/foreign-message.js';
import type { ModelSpec } from '../model/spec.js';
import type { ModelWeights } from '../model/weights.js';
import { checkConversionFiles, inspectCachedConversion, removeConversion, sweepStaleTempFolders } from './conversion-check.js';
import { buildDecoderGraph, type DecoderGraphOptions, OPSETS } from './decoder-graph.js';
import { ExternalDataWriter, GraphBuilder } from './onnx-builder.js';

/** Bump when the graph's inputs, outputs or numerics change, so cached conversions are rebuilt. */
export const GRAPH_VERSION = 12;

export interface ConvertProgress {
  stage: 'convert';
  layersDone: number;
  layersTotal: number;
}

export interface ConvertedModel {
  dir: string;
  modelPath: string;
  key: string;
  options: DecoderGraphOptions;
  /** True when the conversion was found in the cache. */
  cached: boolean;
  weightBytes: number;
}

export function defaultCacheRoot(): string {
  return process.env.LONGREAD_CACHE ?? path.join(os.homedir(), '.cache', 'longread');
}

export function conversionKey(fingerprint: string, options: DecoderGraphOptions): string {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify({ fingerprint, options, graph: GRAPH_VERSION }));
  return h.digest('hex').slice(0, 32);
}

/**
 * Converts a checkpoint into our ONNX decoder (graph + external weights) under cacheRoot/onnx/<key>/,
 * keyed by the checkpoint's fingerprint and the options, so a second load does not convert again.
 * The folder is written under a temporary name and renamed when complete, so a crash never leaves a half model;
 * temporary folders of conversions killed long ago are swept. A cached conversion is used only if its files still
 * match the sizes and sampled hashes in its meta.json; a damaged one is deleted and converted again, once.
 */
export function convertCheckpoint(args: {
  weights: ModelWeights;
  spec: ModelSpec;
  fingerprint: string;
  options: DecoderGraphOptions;
  cacheRoot?: string;
  onProgress?: (p: ConvertProgress) => void;
}): ConvertedModel {
  const { options } = args;
  const key = conversionKey(args.fingerprint, options);
  const root = path.join(args.cacheRoot ?? defaultCacheRoot(), 'onnx');
  const dir = path.join(root, key);
  const modelPath = path.join(dir, 'model.onnx');
  makeCacheFolder(root);
  sweepStaleTempFolders(root);
  const found = inspectCachedConversion(dir, key);
  if (found.state === 'ok') return { dir, modelPath, key, options, cached: true, weightBytes: found.meta.weightBytes };
  if (found.state === 'damaged') removeConversion(dir, found.reason);
  const weightBytes = writeConversion(args, key, root, dir);
  const damage = inspectCachedConversion(dir, key);
  if (damage.state !== 'ok') {
    throw new LongreadError(
      'CACHE_FILE',
      `The model was converted into ${dir}, but the files do not read back as written (${damage.state === 'damaged' ? damage.reason : 'the folder is gone'}); ` +
        'the disk or that folder is faulty. Delete the folder, or set LONGREAD_CACHE to another one.',
    );
  }
  return { dir, modelPath, key, options, cached: false, weightBytes };
}

function makeCacheFolder(root: string): void {
  try {
    fs.mkdirSync(root, { recursive: true });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOTDIR' || (e as NodeJS.ErrnoException).code === 'EEXIST'
      ? 'a part of that path is a file, not a folder'
      : foreignMessage(e);
    throw new LongreadError('CACHE_FILE', `The conversion cache folder ${root} cannot be created: ${why}. Set LONGREAD_CACHE to a folder Longread can write.`, { cause: e });
  }
}

/** Writes the conversion into a temporary folder and renames it to `dir`; returns the external weight bytes. */
function writeConversion(
  args: { weights: ModelWeights; spec: ModelSpec; options: DecoderGraphOptions; onProgress?: (p: ConvertProgress) => void },
  key: string,
  root: string,
  dir: string,
): number {
  const { weights, spec, options } = args;
  weights.validate();
  let tmp: string;
  try {
    tmp = fs.mkdtempSync(path.join(root, `.tmp-${key}-`));
  } catch (e) {
    throw new LongreadError('CACHE_FILE', `Cannot write the converted model under ${root}: ${foreignMessage(e)}`, { cause: e });
  }
  try {
    const ext = new ExternalDataWriter(path.join(tmp, 'model.onnx.data'), 'model.onnx.data');
    const g = new GraphBuilder(ext);
    try {
      buildDecoderGraph(g, spec, weights, options, (l) =>
        args.onProgress?.({ stage: 'convert', layersDone: l + 1, layersTotal: spec.numLayers }),
      );
    } finally {
      ext.close();
    }
    fs.writeFileSync(path.join(tmp, 'model.onnx'), g.encode(OPSETS));
    const weightBytes = ext.bytesWritten;
    const files = checkConversionFiles(tmp);
    fs.writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify({ key, options, spec, graphVersion: GRAPH_VERSION, weightBytes, files }, null, 1));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    return weightBytes;
  } catch (e) {
    removeQuietly(tmp);
    if (e instanceof LongreadError) throw e;
    throw new LongreadError('CACHE_FILE', `Converting the model into ${root} failed: ${foreignMessage(e)}`, { cause: e });
  }
}

/** Best effort: what cannot be removed now is swept by a later load. */
function removeQuietly(folder: string): void {
  try {
    fs.rmSync(folder, { recursive: true, force: true });
  } catch {
    // left for sweepStaleTempFolders
  }
}
