import { afterEach, describe, expect, it, vi } from 'vitest';
import { engineEventSchema, type EngineEvent, type ProgressEvent } from '../../common/contract.js';
import { isLongreadError } from '../../engine/errors.js';
import { OperationRunner } from '../../engine/host/operations.js';
import type { OperationControl } from '../../engine/util/operation.js';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

function runner() {
  const events: EngineEvent[] = [];
  return { events, ops: new OperationRunner((e) => events.push(e)) };
}

/** Work that logs its start and end and finishes when `gate` resolves. */
function gated(log: string[], name: string, gate: Promise<void>) {
  return async () => {
    log.push(`start ${name}`);
    await gate;
    log.push(`end ${name}`);
    return name;
  };
}

describe('operation runner', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs operations one at a time, in the order they came, and says which one is busy', async () => {
    const { ops } = runner();
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const results = ['a', 'b', 'c'].map((name, i) => ops.run(`op-${name}`, `kind-${name}`, gated(log, name, gates[i].promise)));
    await tick();
    expect(log).toEqual(['start a']);
    expect(ops.busy).toEqual({ operationId: 'op-a', kind: 'kind-a' });
    gates[2].resolve();
    gates[1].resolve();
    await tick();
    expect(log).toEqual(['start a']);
    gates[0].resolve();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(ops.busy).toBeNull();
  });

  it('keeps going after an operation fails, and rejects a second operation with a live id', async () => {
    const { ops } = runner();
    const gate = deferred();
    const failing = ops.run('op-1', 'x', async () => {
      await gate.promise;
      throw new Error('boom');
    });
    const duplicate = await rejection(ops.run('op-1', 'x', async () => 'never'));
    expect(isLongreadError(duplicate, 'BAD_ARGUMENT')).toBe(true);
    const next = ops.run('op-2', 'x', async () => 'after');
    gate.resolve();
    expect(((await rejection(failing)) as Error).message).toBe('boom');
    expect(await next).toBe('after');
    // A finished id may be used again.
    expect(await ops.run('op-1', 'x', async () => 'again')).toBe('again');
  });

  it('rejects a cancelled queued operation with CANCELLED without running it', async () => {
    const { ops } = runner();
    const gate = deferred();
    const ran: string[] = [];
    const first = ops.run('op-1', 'x', async () => {
      await gate.promise;
      return 1;
    });
    const second = ops.run('op-2', 'x', async () => {
      ran.push('op-2');
      return 2;
    });
    const third = ops.run('op-3', 'x', async () => 3);
    second.catch(() => undefined);
    expect(ops.cancel('op-2')).toBe(true);
    // The caller hears at once, not when the operation's turn would have come.
    await expect(second).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(ops.busy?.operationId).toBe('op-1');
    expect(ops.cancel('op-2')).toBe(false);
    expect(ops.cancel('unknown')).toBe(false);
    gate.resolve();
    expect(await first).toBe(1);
    expect(isLongreadError(await rejection(second), 'CANCELLED')).toBe(true);
    expect(await third).toBe(3);
    expect(ran).toEqual([]);
  });

  it('lets a running operation see its cancellation at its next isCancelled()', async () => {
    const { ops } = runner();
    const checks: boolean[] = [];
    const started = deferred();
    const resume = deferred();
    const result = ops.run('op-1', 'read', async (control) => {
      checks.push(await control.isCancelled());
      started.resolve();
      await resume.promise;
      checks.push(await control.isCancelled());
      return 'stopped';
    });
    await started.promise;
    expect(ops.cancel('op-1')).toBe(true);
    resume.resolve();
    expect(await result).toBe('stopped');
    expect(checks).toEqual([false, true]);
    // Settled operations can no longer be cancelled.
    expect(ops.cancel('op-1')).toBe(false);
  });

  it('sees a cancel that arrives while the operation is busy computing, at the check after it', async () => {
    const { ops } = runner();
    let control!: OperationControl;
    const ready = deferred();
    const result = ops.run('op-1', 'read', async (c) => {
      control = c;
      ready.resolve();
      let checks = 0;
      while (!(await control.isCancelled())) checks++;
      return checks;
    });
    await ready.promise;
    // The loop yields to the event loop at each check, so this timer gets to run.
    setTimeout(() => ops.cancel('op-1'), 5);
    expect(await result).toBeGreaterThan(0);
  });

  it('supersedes: a new operation with the same key cancels the older ones, running or queued, and no others', async () => {
    const { ops } = runner();
    const seen: Record<string, boolean> = {};
    const started = deferred();
    const resume = deferred();
    const running = ops.run(
      'slide-1',
      'setRatio',
      async (control) => {
        started.resolve();
        await resume.promise;
        seen['slide-1'] = await control.isCancelled();
        return 1;
      },
      { supersedeKey: 'doc-1' },
    );
    await started.promise;
    const ran: string[] = [];
    const queued = ops.run('slide-2', 'setRatio', async () => ran.push('slide-2'), { supersedeKey: 'doc-1' });
    queued.catch(() => undefined);
    const other = ops.run(
      'other-doc',
      'setRatio',
      async (control) => {
        seen['other-doc'] = await control.isCancelled();
        return 'other';
      },
      { supersedeKey: 'doc-2' },
    );
    const latest = ops.run(
      'slide-3',
      'setRatio',
      async (control) => {
        seen['slide-3'] = await control.isCancelled();
        return 3;
      },
      { supersedeKey: 'doc-1' },
    );
    resume.resolve();
    expect(await running).toBe(1);
    expect(isLongreadError(await rejection(queued), 'CANCELLED')).toBe(true);
    expect(await other).toBe('other');
    expect(await latest).toBe(3);
    expect(seen).toEqual({ 'slide-1': true, 'other-doc': false, 'slide-3': false });
    expect(ran).toEqual([]);
  });

  describe('progress', () => {
    /** A controllable clock for the runner's throttle and rates. */
    function clock(startMs = 10_000) {
      let now = startMs;
      vi.spyOn(performance, 'now').mockImplementation(() => now);
      return { advance: (ms: number) => (now += ms) };
    }

    async function withControl(ops: OperationRunner, fn: (control: OperationControl) => void | Promise<void>) {
      await ops.run('op-7', 'readDocument', async (control) => {
        await fn(control);
      });
    }

    const progress = (events: EngineEvent[]) => events.filter((e): e is ProgressEvent => e.type === 'progress');

    it('carries the operation id, stage, counts, unit, rate and time left, and every event fits the contract', async () => {
      const { ops, events } = runner();
      const t = clock();
      await withControl(ops, (c) => {
        c.progress('read', 0, 1000, 'tokens');
        t.advance(500);
        c.progress('read', 250, 1000, 'tokens');
        t.advance(500);
        c.progress('read', 500, 1000, 'tokens');
      });
      const p = progress(events);
      expect(p).toHaveLength(3);
      for (const e of events) expect(() => engineEventSchema.parse(e)).not.toThrow();
      expect(p[0]).toEqual({ type: 'progress', operationId: 'op-7', stage: 'read', done: 0, total: 1000, unit: 'tokens', rate: null, etaMs: null });
      // 250 tokens in 0.5 s: 500/s, 750 left: 1.5 s.
      expect(p[1].rate).toBeCloseTo(500, 9);
      expect(p[1].etaMs).toBeCloseTo(1500, 6);
      expect(p[2].rate).toBeCloseTo(500, 9);
      expect(p[2].etaMs).toBeCloseTo(1000, 6);
    });

    it('sends at most one event per 100 ms of a stage, but always the first and the last', async () => {
      const { ops, events } = runner();
      const t = clock();
      await withControl(ops, (c) => {
        // 1 s of reports every 10 ms.
        for (let done = 0; done <= 100; done++) {
          c.progress('compact', done, 100, 'blocks');
          t.advance(10);
        }
      });
      const p = progress(events);
      expect(p.length).toBeGreaterThanOrEqual(10);
      expect(p.length).toBeLessThanOrEqual(12);
      expect(p[0].done).toBe(0);
      expect(p[p.length - 1].done).toBe(100);
      for (let i = 1; i < p.length - 1; i++) expect(p[i].done - p[i - 1].done).toBeGreaterThanOrEqual(10);
    });

    it('restarts the throttle and the rate at each new stage', async () => {
      const { ops, events } = runner();
      const t = clock();
      await withControl(ops, (c) => {
        c.progress('read', 0, 10, 'tokens');
        t.advance(1000);
        c.progress('read', 10, 10, 'tokens');
        t.advance(1);
        c.progress('compact', 3, 8, 'blocks');
        t.advance(1);
        c.progress('compact', 4, 8, 'blocks');
        t.advance(1000);
        c.progress('compact', 8, 8, 'blocks');
      });
      const p = progress(events);
      expect(p.map((e) => [e.stage, e.done])).toEqual([
        ['read', 0],
        ['read', 10],
        ['compact', 3],
        ['compact', 8],
      ]);
      expect(p[1].rate).toBeCloseTo(10, 9);
      expect(p[1].etaMs).toBe(0);
      expect(p[2].rate).toBeNull();
      // 5 blocks (3 → 8) in 1.001 s.
      expect(p[3].rate).toBeCloseTo(5 / 1.001, 9);
    });

    it('gives no rate over the first 50 ms of a stage or without advance', async () => {
      const { ops, events } = runner();
      const t = clock();
      await withControl(ops, (c) => {
        c.progress('prefill', 0, 100, 'tokens');
        t.advance(40);
        c.progress('prefill', 100, 100, 'tokens');
        c.progress('download', 5, 10, 'bytes');
        t.advance(200);
        c.progress('download', 5, 10, 'bytes');
      });
      const p = progress(events);
      expect(p.map((e) => e.rate)).toEqual([null, null, null, null]);
      expect(p.map((e) => e.etaMs)).toEqual([null, null, null, null]);
    });
  });
});
