import { startWorker } from '../../util/start-worker.js';
import { LongreadError } from '../../errors.js';
import { cancelledError, timedOutError } from './ingest-errors.js';
import type { DocumentFormat, DocumentText } from './types.js';
import type { ParseRequest, ParseWorkerMessage } from './worker-protocol.js';

/** A hostile or broken file must not take the whole engine's memory with it. */
const PARSER_HEAP_LIMIT_MB = 4096;

export interface WorkerParseOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  timeoutMs?: number;
}

/**
 * Parses a document in its own worker thread, which is terminated when the caller aborts, the time limit passes, or
 * parsing is done: a parser that hangs or runs wild on a hostile file cannot take the engine with it.
 * `bytes` are transferred to the worker: their buffer is detached here, so pass bytes this module may own.
 */
export function parseInWorker(format: DocumentFormat, fileName: string, bytes: Uint8Array, opts: WorkerParseOptions = {}): Promise<DocumentText> {
  if (opts.signal?.aborted) return Promise.reject(cancelledError(fileName));
  return new Promise<DocumentText>((resolve, reject) => {
    const request: ParseRequest = { format, fileName, bytes };
    const worker = startWorker(import.meta.url, './parse-worker.js', {
      workerData: request,
      transferList: [bytes.buffer as ArrayBuffer],
      resourceLimits: { maxOldGenerationSizeMb: PARSER_HEAP_LIMIT_MB },
    });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (outcome: { value: DocumentText } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if ('value' in outcome) resolve(outcome.value);
      else reject(outcome.error);
    };
    const onAbort = (): void => settle({ error: cancelledError(fileName) });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timeoutMs = opts.timeoutMs;
    if (timeoutMs !== undefined) timer = setTimeout(() => settle({ error: timedOutError(fileName, timeoutMs) }), timeoutMs);

    worker.on('message', (message: ParseWorkerMessage) => {
      if (settled) return;
      switch (message.type) {
        case 'progress':
          try {
            opts.onProgress?.(message.done, message.total);
          } catch (e) {
            // The caller's own callback failed: hand its error back rather than throw it into the event loop.
            settle({ error: e });
          }
          break;
        case 'result':
          settle({ value: message.value });
          break;
        case 'error':
          settle({ error: new LongreadError(message.code, message.message) });
          break;
      }
    });
    worker.on('error', (error: Error & { code?: string }) => settle({ error: workerFailure(fileName, error) }));
    worker.on('exit', (exitCode) =>
      settle({
        error: new LongreadError(
          'DOCUMENT_CORRUPT',
          `Reading ${fileName} stopped unexpectedly (the parser exited with code ${exitCode}); the file may be damaged.`,
        ),
      }),
    );
  });
}

function workerFailure(fileName: string, error: Error & { code?: string }): LongreadError {
  if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new LongreadError(
      'DOCUMENT_TOO_LARGE',
      `Reading ${fileName} needed more than ${PARSER_HEAP_LIMIT_MB / 1024} GB of memory, so it was stopped; the file ` +
        'may be damaged or built to exhaust memory. Split it or export it again and retry.',
    );
  }
  return new LongreadError('DOCUMENT_CORRUPT', `Reading ${fileName} failed (${error.message}); the file may be damaged.`);
}
