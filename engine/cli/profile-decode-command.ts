import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LongreadError } from '../errors.js';
import { prefill } from '../generate/generate.js';
import { argmax } from '../generate/sampler.js';
import { WEIGHT_FORMATS } from '../graph/decoder-graph.js';
import { loadModel } from '../load-model.js';
import { cpuThreads, DEVICE_CHOICES } from '../runtime/execution-provider.js';
import { mulberry32 } from '../util/random.js';
import { choiceFlag, numberFlag, parseFlags, requireString } from './args.js';
import { resolveModelDir } from './resolve-model.js';

export const PROFILE_DECODE_USAGE = `longread profile-decode --model DIR|synthetic:NAME [--depths 512,8192,16384] [--steps N] [--chunk N]
                        [--weights q4|q8|fp32] [--threads N] [--device cpu|...] [--trace FILE] [--json]
  Prefills random ids up to each depth in turn and profiles N decode steps there with onnxruntime's own profiler:
  time per step and share of kernel time per op type, and the slowest nodes. --trace keeps the raw JSON trace.`;

/** One event of onnxruntime's Chrome-trace profile. */
interface TraceEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string; output_type_shape?: Record<string, number[]>[] };
}

export interface OpShare {
  op: string;
  /** Kernel time per decode step, ms. */
  ms: number;
  /** Share of the step's kernel time (all ops sum to 1). */
  share: number;
  /** Kernel calls per step. */
  calls: number;
}

export interface DepthProfile {
  depth: number;
  /** Slots per KV head the graph read (the cache capacity). */
  pastSlots: number;
  steps: number;
  /** Wall time of session.run per step as the profiler saw it, mean. */
  runMs: number;
  /** Sum of kernel times per step; runMs − kernelMs is onnxruntime's own overhead. */
  kernelMs: number;
  /** Decoder.step per step measured in JS (graph + feeds + cache append), mean. */
  stepMs: number;
  ops: OpShare[];
  /** The slowest nodes, with their output shapes (tells the LM head from the layers' matmuls). */
  topNodes: { node: string; op: string; output: string; ms: number; share: number }[];
}

export interface DecodeProfile {
  model: string;
  weights: string;
  threads: number;
  executionProvider: string;
  depths: DepthProfile[];
}

/**
 * Aggregates the node events inside the given session.run windows, per op type and per node. A node that runs a
 * subgraph (If) has its subgraph's nodes inside its own event: it is counted for its own time only (its duration less
 * that of the nodes it contains), so that the shares add up to 1.
 */
export function aggregateTrace(events: TraceEvent[], runs: { ts: number; dur: number }[]): Omit<DepthProfile, 'depth' | 'pastSlots' | 'stepMs'> {
  const inside = (e: TraceEvent) => runs.some((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur);
  const nodes = events
    .filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.args?.op_name && inside(e))
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const own = new Map<TraceEvent, number>(nodes.map((e) => [e, e.dur]));
  const open: TraceEvent[] = [];
  for (const e of nodes) {
    while (open.length && open[open.length - 1].ts + open[open.length - 1].dur < e.ts + e.dur) open.pop();
    if (open.length) own.set(open[open.length - 1], own.get(open[open.length - 1])! - e.dur);
    open.push(e);
  }
  const n = runs.length;
  const byOp = new Map<string, { us: number; calls: number }>();
  const byNode = new Map<string, { op: string; output: string; us: number }>();
  let total = 0;
  for (const e of nodes) {
    const op = e.args!.op_name!;
    const us = Math.max(0, own.get(e)!);
    const o = byOp.get(op) ?? { us: 0, calls: 0 };
    o.us += us;
    o.calls++;
    byOp.set(op, o);
    const name = e.name.slice(0, -'_kernel_time'.length);
    const shape = (e.args!.output_type_shape ?? []).map((s) => Object.values(s)[0]?.join('×')).join(', ');
    const m = byNode.get(name) ?? { op, output: shape, us: 0 };
    m.us += us;
    byNode.set(name, m);
    total += us;
  }
  const share = (us: number) => (total > 0 ? us / total : 0);
  return {
    steps: n,
    runMs: runs.reduce((a, r) => a + r.dur, 0) / n / 1000,
    kernelMs: total / n / 1000,
    ops: [...byOp]
      .map(([op, o]) => ({ op, ms: o.us / n / 1000, share: share(o.us), calls: o.calls / n }))
      .sort((a, b) => b.ms - a.ms),
    topNodes: [...byNode]
      .map(([node, m]) => ({ node, op: m.op, output: m.output, ms: m.us / n / 1000, share: share(m.us) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 8),
  };
}

export async function runProfileDecode(argv: string[], log?: (m: string) => void): Promise<DecodeProfile> {
  const flags = parseFlags(argv, {
    model: 'string',
    depths: 'list',
    steps: 'string',
    chunk: 'string',
    weights: 'string',
    threads: 'string',
    device: 'string',
    trace: 'string',
    json: 'boolean',
    verbose: 'boolean',
  });
  const modelArg = requireString(flags, 'model');
  const depths = ((flags.depths as string[] | undefined) ?? ['512', '8192', '16384']).map((d) => {
    const v = Number(d);
    if (!Number.isInteger(v) || v < 1) throw new LongreadError('BAD_ARGUMENT', `--depths takes positive integers, got "${d}"`);
    return v;
  });
  if (depths.some((d, i) => i > 0 && d <= depths[i - 1])) throw new LongreadError('BAD_ARGUMENT', '--depths must increase');
  const steps = numberFlag(flags, 'steps', 8, { min: 1, integer: true });
  const chunk = numberFlag(flags, 'chunk', 512, { min: 1, integer: true });
  const threads = numberFlag(flags, 'threads', cpuThreads(), { min: 1, integer: true });
  const dir = await resolveModelDir(modelArg, undefined, log);
  const traceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-profile-'));
  try {
    const model = await loadModel(dir, {
      device: choiceFlag(flags, 'device', DEVICE_CHOICES, 'cpu'),
      weights: choiceFlag(flags, 'weights', WEIGHT_FORMATS, 'q4'),
      threads,
      profileFilePrefix: path.join(traceDir, 'decode'),
    });
    // Every Decoder.step is one session.run, i.e. one model_run event in the trace: count them to find the decode steps.
    let runs = 0;
    const measured: { depth: number; pastSlots: number; first: number; stepMs: number }[] = [];
    try {
      const random = mulberry32(42);
      const vocab = Math.min(model.spec.vocabSize, model.tokenizer.vocabSize || model.spec.vocabSize);
      const cache = model.newCache();
      let logits: Float32Array = new Float32Array(0);
      for (const depth of depths) {
        const ids = Array.from({ length: depth - cache.logicalLength }, () => Math.floor(random() * vocab));
        // prefill reports progress once per model call (its chunks narrow as the cache grows)
        const onProgress = (d: number, t: number) => {
          runs++;
          log?.(`prefill ${d}/${t} towards ${depth}`);
        };
        logits = await prefill(model.decoder, cache, ids, { chunk, onProgress });
        // one unmeasured step first: it may grow the cache or prepare kernels for the new width
        logits = (await model.decoder.step(cache, [argmax(logits)])).logits;
        runs++;
        const first = runs;
        const t0 = performance.now();
        let pastSlots = 0;
        for (let i = 0; i < steps; i++) {
          const r = await model.decoder.step(cache, [argmax(logits)]);
          logits = r.logits;
          pastSlots = r.pastSlots;
        }
        runs += steps;
        measured.push({ depth, pastSlots, first, stepMs: (performance.now() - t0) / steps });
        log?.(`profiled ${steps} decode steps at ${depth} cached tokens`);
      }
      model.decoder.session.endProfiling();
    } finally {
      await model.close();
    }
    const file = fs.readdirSync(traceDir).find((f) => f.startsWith('decode') && f.endsWith('.json'));
    if (!file) throw new LongreadError('INTERNAL', `onnxruntime wrote no profile into ${traceDir}`);
    const tracePath = path.join(traceDir, file);
    if (typeof flags.trace === 'string') fs.copyFileSync(tracePath, flags.trace);
    const events = JSON.parse(fs.readFileSync(tracePath, 'utf8')) as TraceEvent[];
    const modelRuns = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
    if (modelRuns.length !== runs) throw new LongreadError('INTERNAL', `the profile holds ${modelRuns.length} runs, expected ${runs}`);
    return {
      model: modelArg,
      weights: model.converted.options.weights,
      threads,
      executionProvider: model.executionProvider,
      depths: measured.map((m) => ({
        depth: m.depth,
        pastSlots: m.pastSlots,
        stepMs: m.stepMs,
        ...aggregateTrace(events, modelRuns.slice(m.first, m.first + steps)),
      })),
    };
  } finally {
    fs.rmSync(traceDir, { recursive: true, force: true });
  }
}

export async function profileDecodeCommand(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<void> {
  const r = await runProfileDecode(argv, argv.includes('--verbose') ? (m) => stderr.write(`${m}\n`) : undefined);
  if (argv.includes('--json')) {
    stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const lines = [`model ${r.model} (${r.weights}, ${r.executionProvider}, ${r.threads} threads)`];
  for (const d of r.depths) {
    lines.push(
      '',
      `${d.depth} cached tokens (${d.pastSlots} slots read), ${d.steps} steps: step ${d.stepMs.toFixed(2)} ms, session.run ${d.runMs.toFixed(2)} ms, kernels ${d.kernelMs.toFixed(2)} ms`,
      ...d.ops.map((o) => `  ${o.op.padEnd(32)} ${o.ms.toFixed(3).padStart(8)} ms ${(100 * o.share).toFixed(1).padStart(5)}%  ${o.calls} calls`),
      '  slowest nodes:',
      ...d.topNodes.map((t) => `  ${t.node.padEnd(32)} ${t.op.padEnd(18)} ${t.ms.toFixed(3).padStart(8)} ms ${(100 * t.share).toFixed(1).padStart(5)}%  [${t.output}]`),
    );
  }
  stdout.write(`${lines.join('\n')}\n`);
}
