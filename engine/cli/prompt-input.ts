import fs from 'node:fs';
import { LongreadError } from '../errors.js';

/** A prompt larger than this is not a prompt for any model Longread runs; reading stops there. */
export const MAX_PROMPT_BYTES = 16 << 20;

/**
 * The prompt of a command: `--prompt TEXT`, or `--prompt-file FILE` (`-` reads standard input), which also takes
 * prompts too long for a command line (Linux refuses a single argument over 128 kB). Exactly one of them.
 */
export async function readPrompt(flags: Record<string, unknown>, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const text = flags.prompt;
  const file = flags['prompt-file'];
  if (text !== undefined && file !== undefined) throw new LongreadError('BAD_ARGUMENT', 'Give either --prompt or --prompt-file, not both.');
  if (typeof file === 'string' && file) {
    return file === '-' ? readLimited(stdin, 'standard input') : readLimited(openPromptFile(file), file);
  }
  if (typeof text !== 'string' || !text) throw new LongreadError('BAD_ARGUMENT', '--prompt TEXT or --prompt-file FILE is required');
  return text;
}

/** Regular files, and pipes (`--prompt-file <(command)`); never a folder or a device such as /dev/zero. */
function openPromptFile(file: string): NodeJS.ReadableStream {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    throw new LongreadError('BAD_ARGUMENT', `--prompt-file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
  }
  if (!stat.isFile() && !stat.isFIFO()) throw new LongreadError('BAD_ARGUMENT', `--prompt-file ${file} is not a file.`);
  return fs.createReadStream(file);
}

async function readLimited(stream: NodeJS.ReadableStream, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      bytes += b.length;
      if (bytes > MAX_PROMPT_BYTES) {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        throw new LongreadError('BAD_ARGUMENT', `The prompt in ${what} is larger than ${MAX_PROMPT_BYTES} bytes.`);
      }
      chunks.push(b);
    }
  } catch (e) {
    if (e instanceof LongreadError) throw e;
    throw new LongreadError('BAD_ARGUMENT', `Cannot read the prompt from ${what}: ${(e as Error).message}`, { cause: e });
  }
  const prompt = Buffer.concat(chunks).toString('utf8');
  if (!prompt) throw new LongreadError('BAD_ARGUMENT', `The prompt in ${what} is empty.`);
  return prompt;
}
