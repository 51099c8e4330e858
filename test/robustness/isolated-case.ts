/*
 * Child process of runIsolated (helpers.ts): runs one case and prints one JSON line with its outcome, its time
 * (from before the load, so the TypeScript loader's start-up is not counted) and its peak memory.
 *   model DIR   load the model folder as `longread generate` does and generate two tokens from "x"
 *   lrkv FILE       load a compacted document file
 *   template FILE   render a chat template (read from FILE) for one message of 6000 characters
 */
import '../../engine/runtime/no-telemetry.js';
import fs from 'node:fs';
import { loadCompactedDocument } from '../../engine/cache/compacted-file.js';
import { isLongreadError } from '../../engine/errors.js';
import { generate } from '../../engine/generate/generate.js';
import { loadModel } from '../../engine/load-model.js';
import { renderChat } from '../../engine/tokenizer/index.js';

async function runModel(dir: string): Promise<void> {
  const model = await loadModel(dir, { device: 'cpu', weights: 'fp32', cacheRoot: process.env.CASE_CACHE });
  try {
    const { tokenizer } = model;
    const text = renderChat(tokenizer.chatTemplate, { messages: [{ role: 'user', content: 'x' }], addGenerationPrompt: true, bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken });
    const stream = generate(model, model.newCache(), tokenizer.encode(text, { addSpecialTokens: !tokenizer.chatTemplate }), { maxTokens: 2 });
    while (!(await stream.next()).done);
  } finally {
    await model.close();
  }
}

const [kind, target] = process.argv.slice(2);
const t0 = performance.now();
let outcome: Record<string, unknown>;
try {
  if (kind === 'model') await runModel(target);
  else if (kind === 'lrkv') loadCompactedDocument(target, { modelFingerprint: 'a'.repeat(64) });
  else if (kind === 'template') {
    const messages = [{ role: 'user', content: 'hello '.repeat(1000) }];
    renderChat(fs.readFileSync(target, 'utf8'), { messages, addGenerationPrompt: true, bosToken: '<s>', eosToken: '</s>' });
  }
  else throw new Error(`unknown case kind ${kind}`);
  outcome = { ok: true };
} catch (e) {
  outcome = { code: isLongreadError(e) ? e.code : null, name: (e as Error)?.name, message: String((e as Error)?.message ?? e) };
}
outcome.ms = performance.now() - t0;
outcome.maxRssMB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify(outcome)}\n`);
