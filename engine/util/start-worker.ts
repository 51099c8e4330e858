import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on a sibling module of `moduleUrl`: the built `.js` file, or, when running from TypeScript
 * sources (tests), the `.ts` file through tsx.
 */
export function startWorker(moduleUrl: string, relative: string, options: WorkerOptions = {}): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(relative, moduleUrl), options);
  const entry = JSON.stringify(new URL(relative.replace(/\.js$/, '.ts'), moduleUrl).href);
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); })`;
  return new Worker(boot, { ...options, eval: true });
}
