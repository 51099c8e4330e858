import { prefillCapturing } from '../compaction/cache/capture.js';
import { QueryCollector } from '../compaction/cache/query-collector.js';
import { Recompactor } from '../compaction/cache/recompactor.js';
import { DEFAULT_CHUNK_SIZE } from '../compaction/cache/span.js';
import { instantiate, parseMethodConfig } from '../eval/method-configs.js';
import { LongreadError } from '../errors.js';
import { prefill } from '../generate/generate.js';
import { argmax } from '../generate/sampler.js';
import { mulberry32 } from '../util/random.js';
import { WEIGHT_FORMATS } from '../graph/decoder-graph.js';
import { KV_DTYPE } from '../cache/kv-cache.js';
import { loadModel } from '../load-model.js';
import { cpuThreads, describeProviders, DEVICE_CHOICES, type ProviderAttempt } from '../runtime/execution-provider.js';
import { choiceFlag, numberFlag, parseFlags, requireString } from './args.js';
import { compactionOps, JS_COMPACTION_HELP } from './compaction-ops.js';
import { resolveModelDir } from './resolve-model.js';

export const BENCH_USAGE = `longread bench --model DIR|synthetic:NAME --context N [--json] [--decode-tokens N] [--chunk N]
               [--device auto|cpu|webgpu|cuda|dml|coreml] [--weights q4|q8|fp32] [--threads N] [--spin]
               [--compact-ratio R [--method M] [--compact-chunk N] [--query-cap N] [--js-compaction]]
  Prefills N tokens (random ids, in chunks) and times decoding after them. With --compact-ratio, the prefill also
  captures the context's own queries, positions 1..N are compacted with method M (default am, context queries),
  re-compacted to R/2 to time a ratio change, and decoding is timed again on the compacted cache.
  ${JS_COMPACTION_HELP}`;

export interface BenchResult {
  model: string;
  executionProvider: string;
  /** Every provider tried, in order, and why the ones not used were skipped. */
  providerAttempts: ProviderAttempt[];
  weights: string;
  threads: number;
  spin: boolean;
  contextTokens: number;
  prefillChunk: number;
  prefillMs: number;
  prefillTokensPerSec: number;
  decodeTokens: number;
  decodeMsPerToken: number;
  decodeMsPerTokenMin: number;
  /** Element type of the cached keys and values. */
  kvDtype: string;
  /** K, V and bias bytes in occupied slots, as held in memory. */
  kvBytes: number;
  kvAllocatedBytes: number;
  peakRssBytes: number;
  loadMs: number;
  converted: boolean;
  compaction?: BenchCompaction;
}

export interface BenchCompaction {
  method: string;
  ratio: number;
  /** First compaction: blocks, the method's preparation and the fits. */
  compactionMs: number;
  /** Moving to ratio/2 afterwards, reusing the preparation. */
  recompactionMs: number;
  /** Mean slots per (layer, KV head) after compaction, and the physical width the graph reads. */
  cacheSlots: number;
  cacheCapacity: number;
  kvBytes: number;
  paddingWaste: number;
  decodeMsPerToken: number;
  decodeSpeedup: number;
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
    spin: 'boolean',
    verbose: 'boolean',
    'compact-ratio': 'string',
    method: 'string',
    'compact-chunk': 'string',
    'query-cap': 'string',
    'js-compaction': 'boolean',
  });
  const compactRatio = flags['compact-ratio'] === undefined ? undefined : numberFlag(flags, 'compact-ratio', 1, { min: 1e-6, max: 1 });
  if (compactRatio === undefined && flags.method !== undefined) throw new LongreadError('BAD_ARGUMENT', '--method needs --compact-ratio');
  const methodConfig = parseMethodConfig(typeof flags.method === 'string' ? flags.method : 'am:queries=context');
  if (compactRatio !== undefined && methodConfig.queries !== 'context') {
    throw new LongreadError('BAD_ARGUMENT', 'bench compacts random ids with their own (context) queries only; use queries=context');
  }
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
    spin: flags.spin === true,
    onProgress: log && ((p) => log(`converting: layer ${p.layersDone}/${p.layersTotal}`)),
  });
  const loadMs = performance.now() - t0;
  try {
    const random = mulberry32(42);
    const vocab = Math.min(model.spec.vocabSize, model.tokenizer.vocabSize || model.spec.vocabSize);
    const ids = Array.from({ length: contextTokens }, () => Math.floor(random() * vocab));
    const cache = model.newCache();
    // one warm-up step on a throwaway cache so one-time kernel preparation is not timed
    await model.decoder.step(model.newCache(), ids.slice(0, Math.min(chunk, ids.length)));
    const span = { start: 1, end: contextTokens };
    const compactChunk = numberFlag(flags, 'compact-chunk', DEFAULT_CHUNK_SIZE, { min: 1, integer: true });
    const collector =
      compactRatio !== undefined && contextTokens > 1
        ? new QueryCollector(
            { numLayers: model.spec.numLayers, numHeads: model.spec.numHeads, numKvHeads: model.spec.numKvHeads, headDim: model.spec.headDim },
            { span, chunkSize: compactChunk, cap: numberFlag(flags, 'query-cap', 2048, { min: 1, integer: true }), causal: true, window: 32 },
          )
        : undefined;
    const p0 = performance.now();
    const logits = collector
      ? await prefillCapturing(model.decoder, cache, ids, [collector], chunk)
      : await prefill(model.decoder, cache, ids, { chunk, onProgress: log && ((d, t) => log(`prefill ${d}/${t}`)) });
    const prefillMs = performance.now() - p0;
    const decode = async (c: typeof cache, first: Float32Array): Promise<number[]> => {
      const steps: number[] = [];
      let l = first;
      for (let i = 0; i < decodeTokens; i++) {
        const s0 = performance.now();
        l = (await model.decoder.step(c, [argmax(l)])).logits;
        steps.push(performance.now() - s0);
      }
      return steps;
    };
    let compaction: BenchCompaction | undefined;
    if (collector && compactRatio !== undefined) {
      const recompactor = new Recompactor(cache, { span, queries: { sets: [collector], window: collector }, chunkSize: compactChunk });
      const method = instantiate(methodConfig);
      const backend = compactionOps(flags['js-compaction'] === true, threads);
      const run = (r: number) => recompactor.compact(method, r, { ops: backend.ops, maxRatio: compactRatio });
      const [first, again] = await (async () => {
        try {
          const f = await run(compactRatio);
          log?.(`compacted to ${compactRatio} in ${(f.result.ms + recompactor.setupMs).toFixed(0)} ms`);
          return [f, await run(compactRatio / 2)] as const;
        } finally {
          await backend.close();
        }
      })();
      const compactionMs = first.result.ms + recompactor.setupMs;
      const compacted = first.cache;
      const { numLayers: L, numKvHeads: KV } = model.spec;
      const cacheSlots = compacted.layers.reduce((a, l) => a + l.used.reduce((x, y) => x + y, 0), 0) / (L * KV);
      const cSteps = await decode(compacted, logits);
      compaction = {
        method: methodConfig.label,
        ratio: compactRatio,
        compactionMs,
        recompactionMs: again.result.ms,
        cacheSlots,
        cacheCapacity: compacted.layers[0].capacity,
        kvBytes: compacted.usedBytes(),
        paddingWaste: first.result.padding.fraction,
        decodeMsPerToken: median(cSteps),
        decodeSpeedup: 0,
      };
    }
    const steps = await decode(cache, logits);
    if (compaction) compaction.decodeSpeedup = median(steps) / compaction.decodeMsPerToken;
    return {
      model: modelArg,
      executionProvider: model.executionProvider,
      providerAttempts: model.providerAttempts,
      weights: model.converted.options.weights,
      threads,
      spin: flags.spin === true,
      contextTokens,
      prefillChunk: chunk,
      prefillMs,
      prefillTokensPerSec: contextTokens / (prefillMs / 1000),
      decodeTokens,
      decodeMsPerToken: median(steps),
      decodeMsPerTokenMin: Math.min(...steps),
      kvDtype: KV_DTYPE,
      kvBytes: cache.usedBytes(),
      kvAllocatedBytes: cache.allocatedBytes(),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      loadMs,
      converted: !model.converted.cached,
      ...(compaction ? { compaction } : {}),
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
      `model                ${r.model} (${r.weights}, ${describeProviders(r.executionProvider, r.providerAttempts)}, ${r.threads} threads)`,
      `context              ${r.contextTokens} tokens (chunks of ${r.prefillChunk})`,
      `prefill              ${r.prefillTokensPerSec.toFixed(1)} tokens/s (${r.prefillMs.toFixed(0)} ms)`,
      `decode               ${r.decodeMsPerToken.toFixed(2)} ms/token median of ${r.decodeTokens} (min ${r.decodeMsPerTokenMin.toFixed(2)})`,
      `KV cache             ${mb(r.kvBytes)} used, ${mb(r.kvAllocatedBytes)} allocated (K/V ${r.kvDtype})`,
      `peak RSS             ${mb(r.peakRssBytes)}`,
      ...(r.compaction
        ? [
            `compaction           ${r.compaction.method} to ${r.compaction.ratio}: ${r.compaction.compactionMs.toFixed(0)} ms; to ${r.compaction.ratio / 2}: ${r.compaction.recompactionMs.toFixed(0)} ms`,
            `compacted cache      ${r.compaction.cacheSlots.toFixed(1)} slots per KV head (${mb(r.compaction.kvBytes)}, padding ${(100 * r.compaction.paddingWaste).toFixed(1)}%)`,
            `compacted decode     ${r.compaction.decodeMsPerToken.toFixed(2)} ms/token (${r.compaction.decodeSpeedup.toFixed(2)}× the full cache)`,
          ]
        : []),
    ].join('\n') + '\n',
  );
}
