import { prefill } from '../generate/generate.js';
import { argmax, seededRandom } from '../generate/sampler.js';
import { WEIGHT_FORMATS } from '../graph/decoder-graph.js';
import { loadModel } from '../load-model.js';
import { cpuThreads, DEVICE_CHOICES } from '../runtime/execution-provider.js';
import { choiceFlag, numberFlag, parseFlags, requireString } from './args.js';
import { resolveModelDir } from './resolve-model.js';

export const BENCH_USAGE = `longread bench --model DIR|synthetic:NAME --context N [--json] [--decode-tokens N] [--chunk N]
               [--device auto|cpu|webgpu|cuda|dml|coreml] [--weights q4|fp16|fp32] [--threads N]
  Prefills N tokens (random ids, in chunks) and times decoding after them.`;

export interface BenchResult {
  model: string;
  executionProvider: string;
  weights: string;
  threads: number;
  contextTokens: number;
  prefillChunk: number;
  prefillMs: number;
  prefillTokensPerSec: number;
  decodeTokens: number;
  decodeMsPerToken: number;
  decodeMsPerTokenMin: number;
  kvBytes: number;
  kvAllocatedBytes: number;
  peakRssBytes: number;
  loadMs: number;
  converted: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function runBench(argv: string[], log?: (m: string) => void): Promise<BenchResult> {
  const flags = parseFlags(argv, {
    model: 'string',
    context: 'string',
    json: 'boolean',
    'decode-tokens': 'string',
    chunk: 'string',
    device: 'string',
    weights: 'string',
    threads: 'string',
    verbose: 'boolean',
  });
  const modelArg = requireString(flags, 'model');
  const contextTokens = numberFlag(flags, 'context', 512, { min: 1, integer: true });
  const decodeTokens = numberFlag(flags, 'decode-tokens', 16, { min: 1, integer: true });
  const chunk = numberFlag(flags, 'chunk', 512, { min: 1, integer: true });
  const threads = numberFlag(flags, 'threads', cpuThreads(), { min: 1, integer: true });
  const device = choiceFlag(flags, 'device', DEVICE_CHOICES, 'auto');
  const weights = choiceFlag(flags, 'weights', WEIGHT_FORMATS, 'q4');
  const dir = await resolveModelDir(modelArg, undefined, log);
  const t0 = performance.now();
  const model = await loadModel(dir, {
    device,
    weights,
    threads,
    onProgress: log && ((p) => log(`converting: layer ${p.layersDone}/${p.layersTotal}`)),
  });
  const loadMs = performance.now() - t0;
  try {
    const random = seededRandom(42);
    const vocab = Math.min(model.spec.vocabSize, model.tokenizer.vocabSize || model.spec.vocabSize);
    const ids = Array.from({ length: contextTokens }, () => Math.floor(random() * vocab));
    const cache = model.newCache();
    // one warm-up step on a throwaway cache so one-time kernel preparation is not timed
    await model.decoder.step(model.newCache(), ids.slice(0, Math.min(chunk, ids.length)));
    const p0 = performance.now();
    let logits = await prefill(model.decoder, cache, ids, chunk, log && ((d, t) => log(`prefill ${d}/${t}`)));
    const prefillMs = performance.now() - p0;
    const steps: number[] = [];
    for (let i = 0; i < decodeTokens; i++) {
      const s0 = performance.now();
      logits = (await model.decoder.step(cache, [argmax(logits)])).logits;
      steps.push(performance.now() - s0);
    }
    return {
      model: modelArg,
      executionProvider: model.executionProvider,
      weights: model.converted.options.weights,
      threads,
      contextTokens,
      prefillChunk: chunk,
      prefillMs,
      prefillTokensPerSec: contextTokens / (prefillMs / 1000),
      decodeTokens,
      decodeMsPerToken: median(steps),
      decodeMsPerTokenMin: Math.min(...steps),
      kvBytes: cache.usedBytes(),
      kvAllocatedBytes: cache.allocatedBytes(),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      loadMs,
      converted: !model.converted.cached,
    };
  } finally {
    await model.close();
  }
}

export async function benchCommand(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<void> {
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  const r = await runBench(argv, verbose ? (m) => stderr.write(`${m}\n`) : undefined);
  if (json) {
    stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  stdout.write(
    [
      `model                ${r.model} (${r.weights}, ${r.executionProvider}, ${r.threads} threads)`,
      `context              ${r.contextTokens} tokens (chunks of ${r.prefillChunk})`,
      `prefill              ${r.prefillTokensPerSec.toFixed(1)} tokens/s (${r.prefillMs.toFixed(0)} ms)`,
      `decode               ${r.decodeMsPerToken.toFixed(2)} ms/token median of ${r.decodeTokens} (min ${r.decodeMsPerTokenMin.toFixed(2)})`,
      `KV cache             ${mb(r.kvBytes)} used, ${mb(r.kvAllocatedBytes)} allocated`,
      `peak RSS             ${mb(r.peakRssBytes)}`,
    ].join('\n') + '\n',
  );
}
