import fs from 'node:fs';
import path from 'node:path';
import { parseHeadProfile } from '../compaction/cache/budgets.js';
import { LongreadError } from '../errors.js';
import { readDocuments } from '../eval/documents.js';
import { runFidelity, summarize, type FidelityRow, type FidelitySummary } from '../eval/fidelity.js';
import { amGrid, parseMethodConfig, type MethodConfig } from '../eval/method-configs.js';
import { sampleDocument } from '../eval/sample-documents.js';
import { WEIGHT_FORMATS } from '../graph/decoder-graph.js';
import { loadModel } from '../load-model.js';
import { DEVICE_CHOICES } from '../runtime/execution-provider.js';
import { choiceFlag, numberFlag, parseFlags, requireString } from './args.js';
import { compactionOps, JS_COMPACTION_HELP } from './compaction-ops.js';
import { resolveModelDir } from './resolve-model.js';

export const EVAL_USAGE = `longread eval fidelity --model DIR --doc FILE|FOLDER... [--methods am,am-omp,h2o,snapkv,streaming,knorm,random]
                      [--am-grid] [--ratios 0.5,0.3,0.2,0.1,0.05,0.02] [--held-out N] [--chunk N] [--query-cap N]
                      [--profile HEADS.json]
                      [--json] [--summary-json] [--weights fp32|q8|q4] [--device cpu|...] [--seed S] [--js-compaction]
  Compacts the first part of each document per method and ratio and scores the held-out rest against the full
  cache: KL, top-1, the same over the first 16 positions, perplexity, held-out attention errors, time, KV bytes.
  A method takes options as name:key=value..., e.g. am:beta=per-head:values=fit:queries=context
  (solver bounded|clamped-ls, beta per-slot|per-head|off, values fit|copy, queries context|repeat|both|self-study).
  --am-grid adds every AM option combination. --json prints the flat rows; without it, a table of means.
  ${JS_COMPACTION_HELP}
longread eval summarize --rows FILE... [--markdown]
  Merges row files written by eval fidelity --json (e.g. one per document) and prints the table of means.
longread eval sample-docs --model DIR --out FOLDER [--count N] [--tokens N] [--seed S] [--temperature T] [--top-p P]
  Samples documents from the model itself with fixed seeds (seed, seed+1, ...) and writes them as story-NN.txt.`;

const DEFAULT_METHODS = ['am', 'am-omp', 'h2o', 'snapkv', 'streaming', 'knorm', 'random'];
const DEFAULT_RATIOS = ['0.5', '0.3', '0.2', '0.1', '0.05', '0.02'];

export async function evalCommand(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'fidelity') return fidelityCommand(rest, stdout, stderr);
  if (sub === 'sample-docs') return sampleDocsCommand(rest, stdout, stderr);
  if (sub === 'summarize') return summarizeCommand(rest, stdout);
  throw new LongreadError('BAD_ARGUMENT', `eval needs a subcommand: fidelity, summarize or sample-docs${sub ? `, got "${sub}"` : ''}`);
}

async function openModel(flags: Record<string, unknown>, log?: (m: string) => void) {
  const dir = await resolveModelDir(requireString(flags, 'model'), undefined, log);
  return loadModel(dir, {
    device: choiceFlag(flags, 'device', DEVICE_CHOICES, 'cpu'),
    weights: choiceFlag(flags, 'weights', WEIGHT_FORMATS, 'fp32'),
  });
}

async function fidelityCommand(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<void> {
  const flags = parseFlags(argv, {
    model: 'string',
    doc: 'list',
    methods: 'list',
    'am-grid': 'boolean',
    ratios: 'list',
    'held-out': 'string',
    chunk: 'string',
    'query-cap': 'string',
    profile: 'string',
    json: 'boolean',
    'summary-json': 'boolean',
    weights: 'string',
    device: 'string',
    seed: 'string',
    verbose: 'boolean',
    'js-compaction': 'boolean',
  });
  const log = flags.verbose ? (m: string) => stderr.write(`${m}\n`) : undefined;
  const docs = readDocuments((flags.doc as string[] | undefined) ?? []);
  const configs: MethodConfig[] = ((flags.methods as string[] | undefined) ?? (flags['am-grid'] ? [] : DEFAULT_METHODS)).map(parseMethodConfig);
  if (flags['am-grid']) configs.push(...amGrid());
  const ratios = ((flags.ratios as string[] | undefined) ?? DEFAULT_RATIOS).map((r) => numberFlag({ ratio: r }, 'ratio', 0, { min: 1e-6, max: 1 }));
  const model = await openModel(flags, log);
  const backend = compactionOps(flags['js-compaction'] === true);
  try {
    const rows = await runFidelity(model, docs, configs, {
      ratios,
      ops: backend.ops,
      heldOut: numberFlag(flags, 'held-out', 100, { min: 1, integer: true }),
      chunkSize: numberFlag(flags, 'chunk', 4096, { min: 1, integer: true }),
      queryCap: numberFlag(flags, 'query-cap', 4096, { min: 1, integer: true }),
      seed: numberFlag(flags, 'seed', 0, { integer: true }),
      budget: typeof flags.profile === 'string' ? parseHeadProfile(JSON.parse(fs.readFileSync(flags.profile, 'utf8')), model.spec.numLayers, model.spec.numKvHeads) : undefined,
      onRow: log && ((r) => log(`${r.doc} ${r.method} ${r.ratio}: kl ${r.kl.toFixed(4)} top1 ${r.top1.toFixed(3)}`)),
    });
    if (flags.json) stdout.write(`${JSON.stringify(rows)}\n`);
    else if (flags['summary-json']) stdout.write(`${JSON.stringify(summarize(rows))}\n`);
    else stdout.write(fidelityTable(rows));
  } finally {
    await backend.close();
    await model.close();
  }
}

async function summarizeCommand(argv: string[], stdout: NodeJS.WritableStream): Promise<void> {
  const flags = parseFlags(argv, { rows: 'list', markdown: 'boolean', pivot: 'string' });
  const files = (flags.rows as string[] | undefined) ?? [];
  if (!files.length) throw new LongreadError('BAD_ARGUMENT', '--rows needs at least one file');
  const rows = files.flatMap((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as FidelityRow[]);
  // Keep the method order of the first file; group ratios in their first-seen order, documents by name.
  const methodOrder = new Map<string, number>();
  const ratioOrder = new Map<number, number>();
  for (const r of rows) {
    if (!methodOrder.has(r.method)) methodOrder.set(r.method, methodOrder.size);
    if (!ratioOrder.has(r.ratio)) ratioOrder.set(r.ratio, ratioOrder.size);
  }
  rows.sort((a, b) => methodOrder.get(a.method)! - methodOrder.get(b.method)! || ratioOrder.get(a.ratio)! - ratioOrder.get(b.ratio)! || a.doc.localeCompare(b.doc));
  const pivot = flags.pivot === undefined ? undefined : choiceFlag(flags, 'pivot', PIVOT_METRICS, 'kl');
  stdout.write(pivot ? pivotTable(rows, pivot) : fidelityTable(rows, { markdown: Boolean(flags.markdown) }));
}

const PIVOT_METRICS = ['kl', 'top1', 'kl16', 'top1_16', 'ppl', 'outputErr', 'logMassErr', 'compactionMs', 'recompactionMs'] as const;

/** One metric's means as a markdown table: a row per method, a column per ratio. */
export function pivotTable(rows: readonly FidelityRow[], metric: (typeof PIVOT_METRICS)[number]): string {
  const summary = summarize(rows);
  const ratios = [...new Set(summary.map((s) => s.ratio))];
  const methods = [...new Set(summary.map((s) => s.method))];
  const digits = metric.startsWith('top1') ? 3 : metric.endsWith('Ms') ? 1 : 4;
  const cell = (m: string, r: number) => {
    const s = summary.find((x) => x.method === m && x.ratio === r);
    return s ? s[metric].toFixed(digits) : '';
  };
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line([`${metric} \\ ratio`, ...ratios.map(String)]), line(['---', ...ratios.map(() => '---:')]), ...methods.map((m) => line([m, ...ratios.map((r) => cell(m, r))]))].join('\n') + '\n';
}

export function fidelityTable(rows: readonly FidelityRow[], { markdown = false } = {}): string {
  const summary = summarize(rows);
  const header = ['method', 'ratio', 'docs', 'kl', 'top1', 'kl16', 'top1_16', 'ppl', 'ppl_full', 'outErr', 'logMassErr', 'ms', 'reMs', 'KV KiB'];
  const cells = (s: FidelitySummary) => [
    s.method,
    String(s.ratio),
    String(s.docs),
    s.kl.toFixed(4),
    s.top1.toFixed(3),
    s.kl16.toFixed(4),
    s.top1_16.toFixed(3),
    s.ppl.toFixed(3),
    s.ppl_full.toFixed(3),
    s.outputErr.toFixed(3),
    s.logMassErr.toFixed(3),
    s.compactionMs.toFixed(1),
    s.recompactionMs.toFixed(1),
    (s.kvBytes / 1024).toFixed(1),
  ];
  const table = [header, ...summary.map(cells)];
  if (markdown) {
    const line = (r: string[]) => `| ${r.join(' | ')} |`;
    return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...table.slice(1).map(line)].join('\n') + '\n';
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  return table.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n') + '\n';
}

async function sampleDocsCommand(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<void> {
  const flags = parseFlags(argv, {
    model: 'string',
    out: 'string',
    count: 'string',
    tokens: 'string',
    seed: 'string',
    temperature: 'string',
    'top-p': 'string',
    weights: 'string',
    device: 'string',
    verbose: 'boolean',
  });
  const out = requireString(flags, 'out');
  const count = numberFlag(flags, 'count', 32, { min: 1, integer: true });
  const seed = numberFlag(flags, 'seed', 1, { integer: true });
  const model = await openModel(flags, flags.verbose ? (m) => stderr.write(`${m}\n`) : undefined);
  try {
    fs.mkdirSync(out, { recursive: true });
    for (let i = 0; i < count; i++) {
      const text = await sampleDocument(model, {
        tokens: numberFlag(flags, 'tokens', 500, { min: 1, integer: true }),
        seed: seed + i,
        temperature: numberFlag(flags, 'temperature', 0.8, { min: 0 }),
        topP: numberFlag(flags, 'top-p', 0.95, { min: 0, max: 1 }),
      });
      const file = path.join(out, `story-${String(i + 1).padStart(2, '0')}.txt`);
      fs.writeFileSync(file, `${text}\n`);
      stdout.write(`${file} (seed ${seed + i}, ${model.tokenizer.encode(text, { addSpecialTokens: false }).length} tokens)\n`);
    }
  } finally {
    await model.close();
  }
}
