import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EngineEnvelope } from '../../common/contract.js';
import { startWorker } from '../util/start-worker.js';

/** A running engine process (or thread) seen from its host. */
export interface EngineChannel {
  post(message: EngineEnvelope): void;
  onMessage(handler: (message: EngineEnvelope) => void): void;
  /** Called once when it ends, whatever the cause. */
  onExit(handler: (reason: string) => void): void;
  /** Ends it now, even in the middle of a native call. */
  kill(): void;
}

export type EngineLauncher = () => EngineChannel;

const isSource = import.meta.url.endsWith('.ts');
const entryUrl = new URL(isSource ? './engine-process.ts' : './engine-process.js', import.meta.url);

/**
 * The engine in a Node child process: a native crash or an out-of-memory in onnxruntime ends only that process, and
 * a runaway operation can be killed. Typed arrays survive the trip (advanced serialization).
 */
export function childProcessLauncher(env: NodeJS.ProcessEnv = {}): EngineLauncher {
  return () => {
    const child = fork(fileURLToPath(entryUrl), [], {
      serialization: 'advanced',
      execArgv: isSource ? ['--import', 'tsx'] : [],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exit = exitNotifier();
    child.once('exit', (code, signal) => exit.fire(signal ? `the engine process was killed (${signal})` : `the engine process exited with code ${code}`));
    child.once('error', (e) => exit.fire(`the engine process failed: ${e.message}`));
    return {
      post: (m) => {
        if (!exit.done && child.connected) child.send(m);
      },
      onMessage: (h) => child.on('message', (m) => h(m as EngineEnvelope)),
      onExit: exit.add,
      kill: () => {
        if (!exit.done) child.kill('SIGKILL');
      },
    };
  };
}

/** The engine in a worker thread (lighter; a native crash would take the host with it). */
export function workerThreadLauncher(): EngineLauncher {
  return () => {
    const worker = startWorker(import.meta.url, './engine-process.js');
    const exit = exitNotifier();
    worker.once('error', (e) => exit.fire(`the engine thread failed: ${e.message}`));
    worker.once('exit', (code) => exit.fire(`the engine thread exited with code ${code}`));
    return {
      post: (m) => worker.postMessage(m),
      onMessage: (h) => worker.on('message', h),
      onExit: exit.add,
      kill: () => void worker.terminate(),
    };
  };
}

/** Calls every exit handler once, with the first reason (a handler added afterwards is called at once). */
export function exitNotifier(): { add(h: (reason: string) => void): void; fire(reason: string): void; readonly done: boolean } {
  const handlers: ((reason: string) => void)[] = [];
  let reason: string | null = null;
  return {
    add: (h) => (reason === null ? handlers.push(h) : h(reason)),
    fire: (r) => {
      if (reason !== null) return;
      reason = r;
      for (const h of handlers) h(r);
    },
    get done() {
      return reason !== null;
    },
  };
}
