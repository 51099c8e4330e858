import { parentPort, workerData } from 'node:worker_threads';
import { LongreadError } from '../../errors.js';
import { parseDocumentBytes } from './parse.js';
import type { ParseRequest, ParseWorkerMessage } from './worker-protocol.js';

/** Entry of the thread that parses one document (see parse-in-worker.ts) and then ends. */
const { format, fileName, bytes } = workerData as ParseRequest;

// pdf.js prefetches parts of a damaged page tree and, when an earlier part fails, leaves those promises rejected and
// unobserved. In a worker an unhandled rejection is fatal by default; the parse's outcome is what it awaits, not that.
process.on('unhandledRejection', () => undefined);

function send(message: ParseWorkerMessage): void {
  parentPort?.postMessage(message);
}

try {
  const value = await parseDocumentBytes(format, bytes, { fileName, onProgress: (done, total) => send({ type: 'progress', done, total }) });
  send({ type: 'result', value });
} catch (e) {
  // parseDocumentBytes only fails with LongreadErrors; only code and message cross the thread boundary.
  const error = e instanceof LongreadError ? e : new LongreadError('INTERNAL', String(e));
  send({ type: 'error', code: error.code, message: error.message });
}
