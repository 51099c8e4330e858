import { parentPort, workerData } from 'node:worker_threads';
import { isLongreadError } from '../errors.js';
import { EngineSession } from './engine-session.js';
import type { HostEvent, HostRequest } from './protocol.js';

/**
 * The engine host thread: every model call (which blocks its thread for the whole ONNX run) happens here, so the
 * caller's event loop stays free. Requests are handled one at a time, in order.
 */
const port = parentPort;
if (!port) throw new Error('engine worker must run in a worker thread');
const cancelFlag = new Int32Array((workerData as { cancel: SharedArrayBuffer }).cancel);
const session = new EngineSession();
let queue = Promise.resolve();

const send = (e: HostEvent) => port.postMessage(e);

async function handle(msg: HostRequest): Promise<unknown> {
  switch (msg.type) {
    case 'load':
      return session.load(msg.req, (stage, done, total) => send({ id: msg.id, type: 'progress', stage, done, total }));
    case 'generate':
      return session.generate(
        msg.req,
        (text, tokenId) => send({ id: msg.id, type: 'token', text, tokenId }),
        // The client writes the id of a request to cancel; checked before every model call.
        () => Atomics.load(cancelFlag, 0) === msg.id,
      );
    case 'status':
      return session.status();
    case 'reset':
      return session.reset();
    case 'unload':
      return session.unload();
    case 'crash':
      process.exit(70);
  }
}

port.on('message', (msg: HostRequest) => {
  queue = queue.then(async () => {
    try {
      send({ id: msg.id, type: 'result', value: (await handle(msg)) ?? null });
    } catch (e) {
      send({
        id: msg.id,
        type: 'error',
        code: isLongreadError(e) ? e.code : 'INTERNAL',
        message: e instanceof Error ? e.message : String(e),
      });
    }
  });
});
