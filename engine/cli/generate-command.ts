import { generate } from '../generate/generate.js';
import { WEIGHT_FORMATS } from '../graph/decoder-graph.js';
import { loadModel } from '../load-model.js';
import { describeProviders, DEVICE_CHOICES } from '../runtime/execution-provider.js';
import { renderChat } from '../tokenizer/index.js';
import { choiceFlag, parseFlags, requireString } from './args.js';
import { GENERATION_FLAGS, GENERATION_USAGE, generationFromFlags } from './generation-flags.js';
import { readPrompt } from './prompt-input.js';
import { resolveModelDir } from './resolve-model.js';

export const GENERATE_USAGE = `longread generate --model DIR (--prompt TEXT | --prompt-file FILE|-)
                  ${GENERATION_USAGE} [--raw]
                  [--device auto|cpu|webgpu|cuda|dml|coreml] [--weights q4|q8|fp32] [--verbose]
  Prints only the generated text to stdout. The prompt is sent as a user turn through the model's chat template
  unless --raw (then it is encoded as plain text with the tokenizer's special tokens, e.g. BOS). --prompt-file -
  reads the prompt from standard input. Errors are one line with a code; --verbose adds progress and stack traces.`;

export async function generateCommand(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<void> {
  const flags = parseFlags(argv, {
    model: 'string',
    prompt: 'string',
    'prompt-file': 'string',
    ...GENERATION_FLAGS,
    raw: 'boolean',
    device: 'string',
    weights: 'string',
    verbose: 'boolean',
  });
  const log = flags.verbose ? (m: string) => stderr.write(`${m}\n`) : undefined;
  // every argument is checked before the (slow) model load
  const modelArg = requireString(flags, 'model');
  const device = choiceFlag(flags, 'device', DEVICE_CHOICES, 'auto');
  const weights = choiceFlag(flags, 'weights', WEIGHT_FORMATS, 'q4');
  const generation = generationFromFlags(flags);
  const prompt = await readPrompt(flags);
  const dir = await resolveModelDir(modelArg, undefined, log);
  const model = await loadModel(dir, {
    device,
    weights,
    onProgress: log && ((p) => log(`converting: layer ${p.layersDone}/${p.layersTotal}`)),
  });
  try {
    // Why a GPU was not used is worth a line; a forced or only choice is not.
    if (model.providerAttempts.some((a) => !a.used && a.reason)) stderr.write(`execution provider: ${describeProviders(model.executionProvider, model.providerAttempts)}\n`);
    const { tokenizer } = model;
    const ids =
      flags.raw || !tokenizer.chatTemplate
        ? tokenizer.encode(prompt, { addSpecialTokens: true })
        : tokenizer.encode(
            renderChat(tokenizer.chatTemplate, {
              messages: [{ role: 'user', content: prompt }],
              addGenerationPrompt: true,
              bosToken: tokenizer.bosToken,
              eosToken: tokenizer.eosToken,
              extra: generation.templateVariables,
            }),
            { addSpecialTokens: false },
          );
    const stream = generate(model, model.newCache(), ids, {
      maxTokens: generation.maxTokens,
      sampling: generation.sampling,
      stopStrings: generation.stopStrings ?? [],
      stopTokenIds: model.stopTokenIds,
    });
    let r = await stream.next();
    while (!r.done) {
      stdout.write(r.value.text);
      r = await stream.next();
    }
    stdout.write('\n');
    log?.(`${r.value.tokens.length} tokens, stop: ${r.value.stopReason}, prefill ${r.value.prefillMs.toFixed(0)} ms, decode ${r.value.decodeMs.toFixed(0)} ms`);
  } finally {
    await model.close();
  }
}
