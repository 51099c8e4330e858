import '../runtime/no-telemetry.js';
import { parentPort } from 'node:worker_threads';
import type { EngineEnvelope } from '../../common/contract.js';
import { defaultDataDir } from '../util/paths.js';
import { EngineService } from './engine-service.js';

/**
 * The engine's process (or thread) entry: every model call blocks its thread for a whole ONNX run, so the engine
 * never runs where a window or a web server lives. Speaks the envelope of common/contract.ts over whichever port
 * started it: Electron's utility process, a Node child process, or a worker thread.
 */
interface Port {
  post(message: EngineEnvelope): void;
  listen(handler: (message: EngineEnvelope) => void): void;
}

function port(): Port {
  const electronPort = (process as unknown as { parentPort?: { postMessage(m: unknown): void; on(e: 'message', f: (e: { data: unknown }) => void): void } }).parentPort;
  if (electronPort) return { post: (m) => electronPort.postMessage(m), listen: (h) => electronPort.on('message', (e) => h(e.data as EngineEnvelope)) };
  if (parentPort) {
    const p = parentPort;
    return { post: (m) => p.postMessage(m), listen: (h) => p.on('message', h) };
  }
  if (process.send) return { post: (m) => process.send!(m), listen: (h) => process.on('message', (m) => h(m as EngineEnvelope)) };
  throw new Error('the engine process must be started by a Longread host');
}

/** Tests can make the engine crash or hang on purpose; never on in the app. */
const TEST_HOOKS = process.env.LONGREAD_TEST_HOOKS === '1';
const io = port();
const service = new EngineService({
  dataDir: process.env.LONGREAD_DATA ?? defaultDataDir(),
  cacheRoot: process.env.LONGREAD_CACHE,
  emit: (event) => io.post({ kind: 'event', event }),
});

io.listen((message) => {
  if (message.kind !== 'request') return;
  if (TEST_HOOKS && message.name === '__crash') process.exit(70); // dies as a native crash would
  if (TEST_HOOKS && message.name === '__hang') for (;;); // an operation that never yields
  void service.handle(message.name, message.payload).then((reply) => io.post({ kind: 'reply', id: message.id, reply }));
});
io.post({ kind: 'ready' });
