import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../engine/cli/report-error.js';
import { LongreadError } from '../../engine/errors.js';

function report(e: unknown, verbose = false): { code: number; text: string } {
  let text = '';
  const err = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
  return { code: reportError('generate', e, verbose, err), text };
}

describe('reportError', () => {
  it('prints a LongreadError as one line with its code, multi-line messages folded', () => {
    expect(report(new LongreadError('EXECUTION_PROVIDER', 'failed:\n  line two\nline three'))).toEqual({
      code: 1,
      text: 'longread generate: [EXECUTION_PROVIDER] failed: line two line three\n',
    });
    expect(report(new LongreadError('BAD_ARGUMENT', '--x is wrong')).code).toBe(2);
  });

  it('prints any other error as one INTERNAL line, with the stack and causes only when verbose', () => {
    const e = new TypeError("Cannot read properties of undefined (reading 'capacity')", { cause: new Error('inner') });
    const quiet = report(e);
    expect(quiet.code).toBe(1);
    expect(quiet.text).toBe("longread generate: [INTERNAL] TypeError: Cannot read properties of undefined (reading 'capacity') (run with --verbose for details)\n");
    const verbose = report(e, true);
    expect(verbose.text.split('\n')[0]).toBe("longread generate: [INTERNAL] TypeError: Cannot read properties of undefined (reading 'capacity')");
    expect(verbose.text).toContain('TypeError: Cannot read properties');
    expect(verbose.text).toContain('caused by: Error: inner');
  });

  it('copes with thrown non-errors', () => {
    expect(report('just a string').text).toBe('longread generate: [INTERNAL] just a string (run with --verbose for details)\n');
  });
});
