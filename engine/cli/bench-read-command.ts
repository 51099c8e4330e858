import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KvCache } from '../cache/kv-cache.js';
import type { DocumentPrompt } from '../compaction/cache/document-prompt.js';
import { fidelityOf } from '../documents/compact-stored.js';
import { compactionMethod } from '../documents/methods.js';
import { compactFromStore, readDocument } from '../documents/read-document.js';
import { prefill } from '../generate/generate.js';
import { compactionOps } from './compaction-ops.js';
import { loadModel } from '../load-model.js';
import { kvBytesPerToken } from '../model/spec.js';
import { mulberry32 } from '../util/random.js';
import { DEVICE_CHOICES } from '../runtime/execution-provider.js';
import { choiceFlag, numberFlag, parseFlags, requireString } from './args.js';
import { resolveModelDir } from './resolve-model.js';

export const BENCH_READ_USAGE = `longread bench-read --model DIR|synthetic:NAME --tokens N [--ratio R] [--recompact R2] [--kv-budget MiB]
                    [--chunk N] [--device auto|cpu|webgpu|cuda|dml|coreml] [--threads N] [--plain-prefill] [--json]
  Reads an N-token document of random ids the way the app does (prefill with query capture, repeat pass, prepared
  blocks on disk, compaction to R), then re-compacts it to R2 from the stored blocks. Reports each time, the KV bytes,
  the store's size and this process's peak RSS. --plain-prefill times a plain prefill of the same tokens instead
  (run it as its own process, so that the peak RSS of each is its own). --device runs the model on that execution
  provider (default cpu); the compaction runs on the CPU whatever the device.`;

export async function benchReadCommand(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<void> {
  const flags = parseFlags(argv, { model: 'string', tokens: 'string', ratio: 'string', recompact: 'string', 'kv-budget': 'string', chunk: 'string', device: 'string', threads: 'string', 'plain-prefill': 'boolean', json: 'boolean' });
  const modelArg = requireString(flags, 'model');
  const tokens = numberFlag(flags, 'tokens', 0, { min: 16, integer: true });
  const ratio = numberFlag(flags, 'ratio', 0.2, { min: 0.01, max: 1 });
  const recompact = numberFlag(flags, 'recompact', ratio / 2, { min: 0.01, max: 1 });
  const budgetMiB = numberFlag(flags, 'kv-budget', 4096, { min: 1 });
  const chunkSize = numberFlag(flags, 'chunk', 2048, { min: 16, integer: true });
  const threads = numberFlag(flags, 'threads', 0, { min: 0, integer: true });
  const device = choiceFlag(flags, 'device', DEVICE_CHOICES, 'cpu');
  const log = (m: string) => stderr.write(`${m}\n`);
  const dir = await resolveModelDir(modelArg, undefined, log);
  const model = await loadModel(dir, { device, threads: threads || undefined });
  if (model.providerNote) log(model.providerNote);
  const rand = mulberry32(1);
  const vocab = Math.min(model.spec.vocabSize, model.tokenizer.vocabSize);
  const documentIds = Array.from({ length: tokens }, () => Math.floor(rand() * vocab));
  const prefixIds = [0];
  const prompt: DocumentPrompt = { ids: [...prefixIds, ...documentIds], span: { start: 1, end: 1 + tokens }, prefixIds, documentIds, suffixIds: [] };
  const perToken = kvBytesPerToken(model.spec);
  const base = { model: modelArg, executionProvider: model.executionProvider, tokens, weightsBytes: model.converted.weightBytes, kvBytesFull: (tokens + 1) * perToken };
  const result: Record<string, unknown> = { ...base };
  try {
    if (flags['plain-prefill']) {
      const t0 = performance.now();
      await prefill(model.decoder, new KvCache(model.newCache().shape), prompt.ids);
      result.plainPrefillMs = performance.now() - t0;
    } else {
      const backend = compactionOps(false, threads);
      const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-bench-read-'));
      try {
        let lastStage = '';
        const t0 = performance.now();
        const read = await readDocument(
          model,
          prompt,
          { method: compactionMethod('am'), ratio, dir: storeDir, ops: backend.ops, kvBudgetBytes: budgetMiB * 2 ** 20, chunkSize },
          {
            progress: (stage, done, total) => {
              if (stage !== lastStage || done === total) log(`${stage} ${done}/${total} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
              lastStage = stage;
            },
            isCancelled: async () => false,
          },
        );
        const readTotalMs = performance.now() - t0;
        // A slider move: what it adds to the resident memory, sampled between blocks (the store is read one block at a time).
        const rssBefore = process.memoryUsage.rss();
        let rssPeak = rssBefore;
        const sample = () => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss()));
        const sampler = setInterval(sample, 5);
        const t1 = performance.now();
        const again = await compactFromStore(read.store, prompt.span, { method: compactionMethod('am'), ratio: recompact, ops: backend.ops }, {
          progress: sample,
          isCancelled: async () => false,
        });
        const recompactMs = performance.now() - t1;
        clearInterval(sampler);
        sample();
        Object.assign(result, {
          mode: read.mode,
          ratio,
          kvBudgetBytes: budgetMiB * 2 ** 20,
          readAndCompactMs: readTotalMs,
          prefillAndQueriesMs: read.readMs,
          compactMs: read.compactMs,
          kvBytesCompacted: read.cache.usedBytes(),
          outputError: fidelityOf(read.fidelity).outputError,
          recompactRatio: recompact,
          recompactMs,
          recompactRssBeforeBytes: rssBefore,
          recompactRssAddedBytes: rssPeak - rssBefore,
          recompactedKvBytes: again.cache.allocatedBytes(),
          largestBlockBytes: read.store.largestBlockBytes(),
          recompactOutputError: fidelityOf(again.fidelity).outputError,
          storeBytes: read.store.diskBytes(),
        });
      } finally {
        fs.rmSync(storeDir, { recursive: true, force: true });
        await backend.close();
      }
    }
    result.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  } finally {
    await model.close();
  }
  if (flags.json) stdout.write(`${JSON.stringify(result)}\n`);
  else for (const [k, v] of Object.entries(result)) stdout.write(`${k.padEnd(22)} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v)}\n`);
}
