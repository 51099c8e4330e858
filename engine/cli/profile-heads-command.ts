import fs from 'node:fs';
import { readDocuments } from '../eval/documents.js';
import { instantiate, parseMethodConfig } from '../eval/method-configs.js';
import { profileHeads } from '../eval/profile-heads.js';
import { WEIGHT_FORMATS } from '../graph/decoder-graph.js';
import { loadModel } from '../load-model.js';
import { DEVICE_CHOICES } from '../runtime/execution-provider.js';
import { choiceFlag, numberFlag, parseFlags, requireString } from './args.js';
import { compactionOps, JS_COMPACTION_HELP } from './compaction-ops.js';
import { resolveModelDir } from './resolve-model.js';

export const PROFILE_HEADS_USAGE = `longread profile-heads --model DIR --docs FILE|FOLDER... [--ratio R] [--method M] [--out FILE]
                       [--continuation N] [--swaps N] [--weights fp32|q8|q4] [--device cpu|...] [--js-compaction]
  Measures each (layer, KV head)'s sensitivity (cut its budget in half, the others share the slots; the rise in NLL
  of the model's own continuation), starts from shares proportional to it, refines them by greedy swaps between the
  most and least sensitive heads, and writes a budget profile {"L0H0": share, ...} for compaction.
  ${JS_COMPACTION_HELP}`;

export async function profileHeadsCommand(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<void> {
  const flags = parseFlags(argv, {
    model: 'string',
    docs: 'list',
    ratio: 'string',
    method: 'string',
    out: 'string',
    continuation: 'string',
    swaps: 'string',
    weights: 'string',
    device: 'string',
    verbose: 'boolean',
    'js-compaction': 'boolean',
  });
  const log = flags.verbose ? (m: string) => stderr.write(`${m}\n`) : undefined;
  const docs = readDocuments((flags.docs as string[] | undefined) ?? []);
  const config = parseMethodConfig(typeof flags.method === 'string' ? flags.method : 'am');
  const dir = await resolveModelDir(requireString(flags, 'model'), undefined, log);
  const model = await loadModel(dir, { device: choiceFlag(flags, 'device', DEVICE_CHOICES, 'cpu'), weights: choiceFlag(flags, 'weights', WEIGHT_FORMATS, 'fp32') });
  const backend = compactionOps(flags['js-compaction'] === true);
  try {
    const result = await profileHeads(model, docs, {
      ratio: numberFlag(flags, 'ratio', 0.1, { min: 1e-6, max: 1 }),
      method: instantiate(config),
      ops: backend.ops,
      queries: config.queries,
      continuation: numberFlag(flags, 'continuation', 32, { min: 2, integer: true }),
      swaps: numberFlag(flags, 'swaps', 6, { min: 0, integer: true }),
      onHead: log && ((l, h, d) => log(`L${l}H${h}: ΔNLL ${d.toFixed(4)}`)),
      onSwap: log && ((from, to, nll) => log(`swap ${from}→${to}: NLL ${nll.toFixed(4)}`)),
    });
    const json = `${JSON.stringify(result.profile, null, 1)}\n`;
    if (typeof flags.out === 'string') fs.writeFileSync(flags.out, json);
    stdout.write(flags.out ? `${JSON.stringify({ sensitivity: result.sensitivity, nll: result.nll, swaps: result.swaps })}\n` : json);
  } finally {
    await backend.close();
    await model.close();
  }
}
