import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { decodeBinaryFrame } from '../../common/binary-frame.js';
import { BINARY_CONTENT_TYPE, HTTP_EVENTS_PATH, HTTP_TOKEN_QUERY, HTTP_UPLOAD_PATH } from '../../common/channels.js';
import { replyValueSchemas, type AnyReply, type EngineEvent, type Reply, type RequestName, type RequestPayload } from '../../common/contract.js';

import { readEventStream } from '../helpers/event-stream.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServeOptions {
  /** LONGREAD_DATA: where the library lives. */
  dataDir: string;
  /** LONGREAD_CACHE: the conversion cache. */
  cacheDir: string;
  env?: Record<string, string>;
}

/**
 * `longread serve` (from source) driven the way the browser UI drives it: JSON requests over HTTP with the launch
 * token, uploads as raw bodies, and the Server-Sent Events stream collected as it arrives. Also the two processes'
 * ids and memory, for soak and fault tests (Linux: /proc).
 */
export class ServeSession {
  /** Events received, each with its number in arrival order (the oldest are dropped past a few thousand). */
  private readonly log: { seq: number; event: EngineEvent }[] = [];
  private received = 0;
  private readonly waiters = new Set<(event: EngineEvent) => void>();
  private stopEvents: () => void = () => {};
  private exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly origin: string,
    private readonly token: string,
    readonly stderr: () => string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(o: ServeOptions): Promise<ServeSession> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', 'serve', '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, LONGREAD_DATA: o.dataDir, LONGREAD_CACHE: o.cacheDir, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-20_000)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const match = /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(out);
        if (match) resolve(match[0]);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}${err}`)));
    });
    const { origin, hash } = new URL(url);
    const session = new ServeSession(child, origin, new URLSearchParams(hash.slice(1)).get(HTTP_TOKEN_QUERY)!, () => err);
    await session.listen();
    return session;
  }

  private async listen(): Promise<void> {
    const controller = new AbortController();
    this.stopEvents = () => controller.abort();
    void readEventStream(`${this.origin}${HTTP_EVENTS_PATH}?${HTTP_TOKEN_QUERY}=${this.token}`, controller.signal, (e) => this.push(e)).catch(() => undefined);
  }

  private push(event: EngineEvent): void {
    this.log.push({ seq: this.received++, event });
    // A soak run would otherwise keep every token and status event it ever saw.
    if (this.log.length > 5000) this.log.splice(0, this.log.length - 4000);
    for (const w of [...this.waiters]) w(event);
  }

  /** The events still held, oldest first. */
  get events(): EngineEvent[] {
    return this.log.map((e) => e.event);
  }

  /** The events numbered `since` or later that are still held. */
  eventsSince(since: number): EngineEvent[] {
    return this.log.filter((e) => e.seq >= since).map((e) => e.event);
  }

  /** How many events have arrived so far: pass it to waitForEvent to match only later ones. */
  get eventCount(): number {
    return this.received;
  }

  /** The first event numbered `since` or later that matches (by default: the first to arrive from now on). */
  waitForEvent<T extends EngineEvent>(match: (e: EngineEvent) => e is T, timeoutMs: number, since = this.received): Promise<T> {
    const seen = this.log.find((e) => e.seq >= since && match(e.event));
    if (seen) return Promise.resolve(seen.event as T);
    return new Promise((resolve, reject) => {
      const check = (event: EngineEvent) => {
        if (!match(event)) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(event);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** A request as the UI sends it; the reply is checked against the contract, as the UI's side of the boundary. */
  async call<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Reply<N>> {
    const res = await fetch(`${this.origin}/api/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` },
      body: JSON.stringify(payload),
    });
    const reply = (res.headers.get('content-type') === BINARY_CONTENT_TYPE ? decodeBinaryFrame(new Uint8Array(await res.arrayBuffer())) : await res.json()) as AnyReply;
    if (!reply.ok) return reply;
    return { ok: true, value: replyValueSchemas[name].parse(reply.value) } as Reply<N>;
  }

  /** The value of a request that must succeed. */
  async value<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Extract<Reply<N>, { ok: true }>['value']> {
    const reply = await this.call(name, payload);
    if (!reply.ok) throw new Error(`${name}: ${reply.error.code}: ${reply.error.message}`);
    return reply.value;
  }

  async upload(name: string, bytes: Uint8Array): Promise<string> {
    const res = await fetch(`${this.origin}${HTTP_UPLOAD_PATH}?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${this.token}` },
      body: Buffer.from(bytes),
    });
    const reply = (await res.json()) as { ok: true; value: { uploadId: string } } | { ok: false; error: { message: string } };
    if (!reply.ok) throw new Error(`upload ${name}: ${reply.error.message}`);
    return reply.value.uploadId;
  }

  /** The engine process: the serve process's child that runs engine-process (tsx's esbuild service is another). */
  enginePid(): number | null {
    const pid = this.child.pid!;
    const children = fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/))
      .filter(Boolean)
      .map(Number);
    return children.find((child) => commandLine(child).includes('engine-process')) ?? null;
  }

  /** The serve process's resident memory, in bytes. */
  serverRss(): number {
    return rssOf(this.child.pid!);
  }

  async stop(): Promise<void> {
    this.stopEvents();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return ''; // it has just exited
  }
}

export function rssOf(pid: number): number {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}
