import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { convertCheckpoint } from '../../engine/graph/convert.js';
import type { WeightFormat } from '../../engine/graph/decoder-graph.js';
import { DT } from '../../engine/graph/onnx-builder.js';
import { tinySpec, tinyWeights } from '../helpers/tiny-model.js';

const { onnx } = onnxProto;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-optimized-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

interface Initializer {
  name: string;
  dataType: number;
  dims: number[];
}

/**
 * The initializers onnxruntime keeps after optimizing the graph as the app opens it (level 'all' on the CPU
 * provider): what it holds in memory, after constant folding.
 */
async function optimizedInitializers(format: WeightFormat, tieWordEmbeddings: boolean): Promise<Initializer[]> {
  const spec = tinySpec({ tieWordEmbeddings, vocabSize: 96 });
  const converted = convertCheckpoint({
    weights: tinyWeights(spec, 3),
    spec,
    fingerprint: `optimized-${format}-${tieWordEmbeddings}`,
    options: { weights: format, accuracyLevel: 4, attentionSummary: 'none' },
    cacheRoot: root,
  });
  const dumped = path.join(root, `optimized-${format}-${tieWordEmbeddings}.onnx`);
  const session = await ort.InferenceSession.create(converted.modelPath, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    optimizedModelFilePath: dumped,
    logSeverityLevel: 3,
  });
  await session.release();
  const model = onnx.ModelProto.decode(fs.readFileSync(dumped));
  return model.graph!.initializer!.map((t) => ({ name: t.name!, dataType: t.dataType!, dims: (t.dims ?? []).map(Number) }));
}

const hidden = tinySpec().hiddenSize;
const isVocabByHidden = (t: Initializer) => t.dims.length === 2 && t.dims.includes(96) && t.dims.includes(hidden);
const fp32Matrices = (inits: Initializer[]) => inits.filter((t) => t.dataType === DT.FLOAT && t.dims.length >= 2 && t.dims.reduce((a, b) => a * b, 1) >= hidden * hidden);

describe('weights stay in their stored format after onnxruntime optimizes the graph', () => {
  for (const tied of [true, false]) {
    for (const format of ['q4', 'q8'] as const) {
      it(`${format}${tied ? ', tied embeddings' : ''}: no fp32 [vocab, hidden] table or fp32 weight matrix`, async () => {
        const inits = await optimizedInitializers(format, tied);
        expect(inits.filter((t) => t.dataType === DT.FLOAT && isVocabByHidden(t))).toEqual([]);
        expect(inits.find((t) => t.dataType === DT.FLOAT16 && isVocabByHidden(t))).toBeDefined(); // the fp16 embedding table
        expect(fp32Matrices(inits)).toEqual([]);
      });
    }
  }

  it('fp32 weights (control: the check sees an fp32 table when there is one)', async () => {
    const inits = await optimizedInitializers('fp32', true);
    expect(inits.filter((t) => t.dataType === DT.FLOAT && isVocabByHidden(t))).toHaveLength(1);
  });
});
