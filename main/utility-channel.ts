import { utilityProcess } from 'electron';
import type { EngineEnvelope } from '../common/contract.js';
import { exitNotifier, type EngineLauncher } from '../engine/host/channels.js';

/**
 * The engine in Electron's utility process: a native crash or out-of-memory in onnxruntime ends that process, not
 * the window; the host restarts it.
 */
export function utilityProcessLauncher(entryPath: string, env: NodeJS.ProcessEnv): EngineLauncher {
  return () => {
    const child = utilityProcess.fork(entryPath, [], { serviceName: 'Longread engine', env: { ...process.env, ...env }, stdio: 'inherit' });
    const exit = exitNotifier();
    child.once('exit', (code) => exit.fire(`the engine process exited with code ${code}`));
    return {
      post: (m: EngineEnvelope) => {
        if (!exit.done) child.postMessage(m);
      },
      onMessage: (h) => child.on('message', (m: unknown) => h(m as EngineEnvelope)),
      onExit: exit.add,
      kill: () => {
        if (!exit.done) child.kill();
      },
    };
  };
}
