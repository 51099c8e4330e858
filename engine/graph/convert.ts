import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelSpec } from '../model/spec.js';
import type { ModelWeights } from '../model/weights.js';
import { buildDecoderGraph, type DecoderGraphOptions, OPSETS } from './decoder-graph.js';
import { ExternalDataWriter, GraphBuilder } from './onnx-builder.js';

/** Bump when the graph's inputs, outputs or numerics change, so cached conversions are rebuilt. */
export const GRAPH_VERSION = 7;

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
 * The folder is written under a temporary name and renamed when complete, so a crash never leaves a half model.
 */
export function convertCheckpoint(args: {
  weights: ModelWeights;
  spec: ModelSpec;
  fingerprint: string;
  options: DecoderGraphOptions;
  cacheRoot?: string;
  onProgress?: (p: ConvertProgress) => void;
}): ConvertedModel {
  const { weights, spec, options } = args;
  const key = conversionKey(args.fingerprint, options);
  const root = path.join(args.cacheRoot ?? defaultCacheRoot(), 'onnx');
  const dir = path.join(root, key);
  const modelPath = path.join(dir, 'model.onnx');
  const metaPath = path.join(dir, 'meta.json');
  if (fs.existsSync(metaPath) && fs.existsSync(modelPath)) {
    const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as { weightBytes: number };
    return { dir, modelPath, key, options, cached: true, weightBytes: meta.weightBytes };
  }
  weights.validate();
  fs.mkdirSync(root, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(root, `.tmp-${key}-`));
  try {
    const ext = new ExternalDataWriter(path.join(tmp, 'model.onnx.data'), 'model.onnx.data');
    const g = new GraphBuilder(ext);
    buildDecoderGraph(g, spec, weights, options, (l) =>
      args.onProgress?.({ stage: 'convert', layersDone: l + 1, layersTotal: spec.numLayers }),
    );
    ext.close();
    fs.writeFileSync(path.join(tmp, 'model.onnx'), g.encode(OPSETS));
    const weightBytes = ext.bytesWritten;
    fs.writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify({ key, options, spec, graphVersion: GRAPH_VERSION, weightBytes }, null, 1));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    return { dir, modelPath, key, options, cached: false, weightBytes };
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
