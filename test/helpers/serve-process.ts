import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeBinaryFrame } from '../../common/binary-frame.js';
import { BINARY_CONTENT_TYPE } from '../../common/channels.js';
import type { EngineEvent, Reply, RequestName, RequestPayload } from '../../common/contract.js';
import { readEventStream } from './event-stream.js';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/engine/cli/main.js');

export interface Served {
  /** The address with the token, as `longread serve` prints it. */
  url: string;
  base: string;
  token: string;
  request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Reply<N>>;
  stop(): Promise<void>;
}

/**
 * Runs the built `longread serve` on a free port, with its own throwaway cache and library — or with `home`'s, kept
 * after `stop()` (to start the server again on the same library).
 */
export async function startServe(options: { home?: string } = {}): Promise<Served> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const home = options.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'longread-e2e-'));
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
    env: { ...process.env, LONGREAD_CACHE: path.join(home, 'cache'), LONGREAD_DATA: path.join(home, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await printedUrl(child);
  const base = url.slice(0, url.indexOf('/#'));
  const token = new URL(url).hash.replace('#token=', '');
  return {
    url,
    base,
    token,
    async request(name, payload) {
      const res = await fetch(`${base}/api/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(payload) });
      if (res.headers.get('Content-Type')?.startsWith(BINARY_CONTENT_TYPE)) return decodeBinaryFrame(new Uint8Array(await res.arrayBuffer())) as never;
      return (await res.json()) as never;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (!options.home) fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

function printedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`longread serve printed no address in 60 s:\n${out}\n${err}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`longread serve exited with ${code}:\n${out}\n${err}`));
    });
  });
}

/** Listens to the host's event stream beside the page, keeping every event. */
export function listenToEvents(served: Served): { events: EngineEvent[]; stop(): Promise<void> } {
  const controller = new AbortController();
  const events: EngineEvent[] = [];
  const done = readEventStream(`${served.base}/api/events?token=${served.token}`, controller.signal, (e) => events.push(e));
  return {
    events,
    stop: async () => {
      controller.abort();
      await done.catch(() => undefined);
    },
  };
}
