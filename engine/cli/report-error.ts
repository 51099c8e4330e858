import { isLongreadError } from '../errors.js';

/**
 * How a failed command is told to the person: one line, `longread <command>: [CODE] message`. Anything else than a
 * LongreadError is a bug, shown as INTERNAL with its name and message. The stack (and the chain of causes) only
 * with --verbose. Returns the exit code: 2 for a bad argument, 1 otherwise.
 */
export function reportError(command: string, e: unknown, verbose: boolean, err: NodeJS.WritableStream): number {
  const code = isLongreadError(e) ? e.code : 'INTERNAL';
  const message = isLongreadError(e) ? e.message : describeUnexpected(e);
  err.write(`longread ${command}: [${code}] ${oneLine(message)}${!verbose && code === 'INTERNAL' ? ' (run with --verbose for details)' : ''}\n`);
  if (verbose) {
    for (let cause: unknown = e, depth = 0; cause !== undefined && depth < 8; cause = (cause as Error).cause, depth++) {
      err.write(`${depth ? 'caused by: ' : ''}${cause instanceof Error ? (cause.stack ?? String(cause)) : String(cause)}\n`);
      if (!(cause instanceof Error)) break;
    }
  }
  return code === 'BAD_ARGUMENT' ? 2 : 1;
}

function describeUnexpected(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
