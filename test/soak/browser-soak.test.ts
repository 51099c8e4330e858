import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryCurve } from './memory-curve.js';
import { readerRound } from './reader-workload.js';
import { ServeSession } from './serve-session.js';

/**
 * Soak in browser mode: `longread serve` on the demo model, driven over HTTP as the browser UI drives it, round after
 * round (upload, read, ask, slider, retention, follow-up, close, reopen from the library, delete, and a 2 MB saved web
 * page read and closed) for a bounded time.
 * The engine's memory (as its status events report it) and the server's must come back to their level after warm-up.
 * LONGREAD_SOAK_SECONDS sets the time (default 40).
 */
const SECONDS = Number(process.env.LONGREAD_SOAK_SECONDS ?? 40);
const MB = 2 ** 20;
/** The first third of the rounds (at least 3) is warm-up: code compiling, heaps and allocator pools growing. */
const warmupRounds = (rounds: number) => Math.max(3, Math.floor(rounds / 3));
/**
 * After warm-up, measured: each process's RSS wanders by ±8 MB around a flat line (slope within ±0.2 MB per round).
 * A copy of the 2 MB page kept per round adds 2 MB per round (4 MB as a JS string), 40+ MB over a 40 s run.
 */
const SLACK = 24 * MB;
const SLOPE_LIMIT = 0.75 * MB;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-soak-data-'));
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-soak-cache-'));
/** The server's temporary folder, where its uploads go. */
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-soak-tmp-'));
let serve: ServeSession | null = null;
afterAll(async () => {
  await serve?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.rmSync(tmpDir, { recursive: true, force: true });
});

function folderBytes(dir: string): number {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).reduce((sum, e) => sum + (e.isFile() ? fs.statSync(path.join(e.parentPath, e.name)).size : 0), 0);
}

describe.skipIf(process.platform !== 'linux')('soak: the browser workflow in a loop', () => {
  it(`keeps the engine's and the server's memory near their level after warm-up for ${SECONDS} s`, { timeout: SECONDS * 1000 + 180_000 }, async () => {
    serve = await ServeSession.start({ dataDir, cacheDir, env: { TMPDIR: tmpDir } });
    await serve.value('loadModel', { operationId: 'load' });
    const curve = new MemoryCurve();
    const t0 = performance.now();
    let requests = 0;
    let tokens = 0;
    for (let round = 0; round < 9 || (performance.now() - t0) / 1000 < SECONDS; round++) {
      const done = await readerRound(serve, round);
      requests += done.requests;
      tokens += done.tokens;
      const status = await serve.value('status', {});
      curve.add({ round, seconds: (performance.now() - t0) / 1000, engineRss: status.rssBytes, serverRss: serve.serverRss() });
    }
    const seconds = (performance.now() - t0) / 1000;
    const rounds = curve.samples.length;
    const warmup = warmupRounds(rounds);
    const level = (key: 'engineRss' | 'serverRss') => ({ after: curve.levelAfter(warmup, 3, key), end: curve.finalLevel(3, key), slope: curve.slopePerRound(warmup, key) });
    const engine = level('engineRss');
    const server = level('serverRss');
    const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;
    console.log(
      `soak: ${rounds} rounds, ${requests} requests, ${tokens} tokens generated in ${seconds.toFixed(1)} s, 0 failures\n${curve.table()}\n` +
        `engine: ${mb(engine.after)} after warm-up → ${mb(engine.end)} at the end (${mb(engine.slope)} per round); ` +
        `server: ${mb(server.after)} → ${mb(server.end)} (${mb(server.slope)} per round); uploads kept on disk by the server: ${mb(folderBytes(tmpDir))}`,
    );
    expect(serve.events.filter((e) => e.type === 'crash')).toEqual([]);
    expect(await serve.value('libraryList', {})).toEqual([]);
    expect(engine.end).toBeLessThan(engine.after + SLACK);
    expect(server.end).toBeLessThan(server.after + SLACK);
    expect(engine.slope).toBeLessThan(SLOPE_LIMIT);
    expect(server.slope).toBeLessThan(SLOPE_LIMIT);
  });
});
