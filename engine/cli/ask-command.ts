import path from 'node:path';
import { METHODS, type Method, type Source } from '../../common/contract.js';
import { LongreadError } from '../errors.js';
import { choiceFlag, numberFlag, parseFlags, requireString } from './args.js';
import { CliEngine } from './engine-session.js';
import { GENERATION_FLAGS, GENERATION_USAGE, generationFromFlags } from './generation-flags.js';
import { describeProviders } from '../runtime/execution-provider.js';
import { progressPrinter } from './progress-printer.js';
import { readPrompt } from './prompt-input.js';

export const ASK_USAGE = `longread ask [--model DIR] --doc FILE [--ratio R] [--method ${METHODS.join('|')}]
             ${GENERATION_USAGE} ("question" | --question-file FILE|-)
  Reads the document once (progress on stderr), compacts its KV cache to ratio R (default 0.2), and streams the
  answer to stdout; the passages each sentence drew on follow on stderr. The read document is kept in the library,
  so the next question about the same file skips the reading. Without --model: the embedded demo model.`;

export const SUMMARIZE_USAGE = `longread summarize [--model DIR] --doc FILE [--ratio R] [--method M] ${GENERATION_USAGE}
  Like ask, with a request for a summary.`;

const FLAGS = { model: 'string', doc: 'string', ratio: 'string', method: 'string', 'question-file': 'string', verbose: 'boolean', ...GENERATION_FLAGS } as const;

function formatSources(sources: Source[][]): string {
  const lines: string[] = [];
  sources.forEach((sentence, i) => {
    for (const s of sentence) {
      const where = s.label ? `p. ${s.label}` : `chars ${s.start}–${s.end}`;
      lines.push(`  [${i + 1}] ${where} (${(100 * s.weight).toFixed(0)}%): ${JSON.stringify(s.text.replace(/\s+/g, ' ').slice(0, 100))}`);
    }
  });
  return lines.length ? `Sources:\n${lines.join('\n')}\n` : '';
}

async function run(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream, summarize: boolean): Promise<void> {
  const flags = parseFlags(argv, FLAGS, { positionals: true });
  const words = flags._ ?? [];
  if (words.length > 1) throw new LongreadError('BAD_ARGUMENT', `Give one question (quote it); got ${words.length} words: ${words.map((w) => JSON.stringify(w)).join(' ')}`);
  let question: string | null = words[0] ?? null;
  const doc = path.resolve(requireString(flags, 'doc'));
  if (question && flags['question-file']) throw new LongreadError('BAD_ARGUMENT', 'Give the question either as an argument or with --question-file, not both');
  if (flags['question-file']) question = await readPrompt({ 'prompt-file': flags['question-file'] });
  if (!summarize && !question) throw new LongreadError('BAD_ARGUMENT', 'Ask a question: longread ask --doc FILE "question" (or --question-file FILE, - for standard input)');
  if (summarize && question) throw new LongreadError('BAD_ARGUMENT', 'summarize takes no question');
  const ratio = numberFlag(flags, 'ratio', 0.2, { min: 0.01, max: 1 });
  const method = choiceFlag(flags, 'method', METHODS, 'am') as Method;
  const generation = generationFromFlags(flags, summarize ? 400 : 256);

  const engine = new CliEngine();
  const progress = progressPrinter(stderr as NodeJS.WritableStream & { isTTY?: boolean });
  let current: string | null = null;
  engine.onEvent((e) => {
    if (e.type === 'progress') progress.show(e);
    if (e.type === 'token' && e.text) stdout.write(e.text);
  });
  const onInterrupt = () => current && engine.cancel(current);
  process.on('SIGINT', onInterrupt);
  try {
    const op = () => (current = engine.operationId());
    const model = await engine.call('loadModel', { operationId: op(), ...(typeof flags.model === 'string' ? { modelDir: flags.model } : {}) });
    const info = await engine.call('openDocument', { operationId: op(), source: { path: doc } });
    let documentId = info.documentId;
    const t0 = performance.now();
    if (info.libraryId) {
      const opened = await engine.call('libraryOpen', { operationId: op(), libraryId: info.libraryId });
      documentId = opened.document.documentId;
      progress.done();
      stderr.write(`${info.title}: ${info.tokens.toLocaleString('en-US')} tokens, opened from the library without reading (${(performance.now() - t0).toFixed(0)} ms)\n`);
      if (opened.view.ratio !== ratio || opened.view.method !== method) await engine.call('setRatio', { operationId: op(), documentId, ratio, method });
    } else {
      stderr.write(`${info.title}: ${info.tokens.toLocaleString('en-US')} tokens; reading with ${model.name} on ${describeProviders(model.executionProvider, model.providerAttempts)} (about ${Math.ceil(info.estimate.readSeconds)} s)\n`);
      const view = await engine.call('readDocument', { operationId: op(), documentId, ratio, method });
      progress.done();
      stderr.write(`read and compacted in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${view.documentSlots.toLocaleString('en-US')} of ${(view.documentTokens * model.numLayers * model.numKvHeads).toLocaleString('en-US')} slots kept, output error ${(100 * view.fidelity.outputError).toFixed(1)}%\n`);
    }
    const answer = summarize
      ? await engine.call('summarize', { operationId: op(), documentId, generation })
      : await engine.call('ask', { operationId: op(), documentId, question: question!, generation });
    stdout.write('\n');
    stderr.write(formatSources(answer.sources));
    if (flags.verbose) stderr.write(`${answer.tokens} tokens, stop: ${answer.stopReason}, prefill ${answer.prefilledTokens} tokens in ${answer.prefillMs.toFixed(0)} ms, decode ${answer.decodeMs.toFixed(0)} ms\n`);
  } finally {
    process.off('SIGINT', onInterrupt);
    progress.done();
    await engine.close();
  }
}

export const askCommand = (argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => run(argv, stdout, stderr, false);
export const summarizeCommand = (argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => run(argv, stdout, stderr, true);
