import { beforeEach, describe, expect, it } from 'vitest';
import { chooseMethod, chooseRatio, recompact, RECOMPACT_DEBOUNCE_MS } from '../../renderer/state/actions/compression.js';
import { openFile, readDocument } from '../../renderer/state/actions/document.js';
import { chooseHead, fetchAllHeads } from '../../renderer/state/actions/retention.js';
import { start } from '../../renderer/state/actions/startup.js';
import { read } from '../../renderer/state/store.js';
import { fail, flush, ok, type FakeHost } from './support/fake-host.js';
import { status, view } from './support/fixtures.js';
import { happyHost } from './support/setup-host.js';

let host: FakeHost;
beforeEach(async () => {
  host = happyHost();
  await start();
  await openFile(new File(['x'], 'notes.txt'));
  await readDocument();
  await flush();
  host.requests.length = 0;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the compression and retention slices', () => {
  it('shows each slider step at once but re-compacts once, at the last ratio, when the slider rests', async () => {
    for (const ratio of [0.15, 0.1, 0.05]) chooseRatio(ratio);
    expect(read('compression').ratio).toBe(0.05);
    expect(host.named('setRatio')).toHaveLength(0);
    await sleep(RECOMPACT_DEBOUNCE_MS + 50);
    await flush();
    expect(host.named('setRatio')).toHaveLength(1);
    expect(host.last('setRatio')).toMatchObject({ documentId: 'doc1', ratio: 0.05, method: 'am' });
    expect(read('compression').view?.ratio).toBe(0.05);
    // The visualizer follows: a new retention map was fetched for the new view.
    expect(host.named('retention')).toHaveLength(1);
  });

  it('a newer re-compaction supersedes an older one: the older reply (CANCELLED or late) is ignored', async () => {
    host.hold('setRatio');
    chooseRatio(0.1);
    const first = recompact();
    chooseRatio(0.03);
    const second = recompact();
    const [older, newer] = host.named('setRatio').map((p) => p.operationId as string);
    host.settle(newer, ok(view(0.03)));
    await second;
    host.settle(older, fail('CANCELLED', 'superseded'));
    await first;
    expect(read('compression')).toMatchObject({ ratio: 0.03, view: { ratio: 0.03 }, error: null, pendingOperationId: null });

    const third = recompact();
    const fourth = recompact();
    const [late, latest] = host.named('setRatio').slice(2).map((p) => p.operationId as string);
    host.settle(latest, ok(view(0.03, { documentSlots: 2 })));
    host.settle(late, ok(view(0.5)));
    await Promise.all([third, fourth]);
    expect(read('compression').view?.documentSlots).toBe(2);
  });

  it("moves the meter with the new view's cache at once", async () => {
    host.emit({ type: 'status', status: status({ documentId: 'doc1', cache: view(0.2).cache }) });
    chooseRatio(0.5);
    await recompact();
    expect(read('engine').status?.cache?.slots).toBe(view(0.5).cache.slots);
  });

  it('switching the method re-compacts now and fetches the fidelity curve for it', async () => {
    chooseMethod('snapkv');
    await flush();
    expect(host.last('setRatio')).toMatchObject({ method: 'snapkv', ratio: 0.2 });
    expect(host.last('fidelityCurve')).toMatchObject({ method: 'snapkv' });
    expect(read('compression').curve?.method).toBe('snapkv');
  });

  it('choosing a head fetches exactly its kept tokens; a layer fetches each of its heads', async () => {
    await chooseHead(1, 0);
    expect(host.last('retention')).toMatchObject({ documentId: 'doc1', layer: 1, head: 0 });
    expect([...read('retention').headTokens[2]!]).toEqual([0, 2, 5]);
    host.requests.length = 0;
    await chooseHead(0, null);
    expect(host.named('retention').map((p) => [p.layer, p.head])).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(read('retention').choice).toEqual({ layer: 0, head: null });
  });

  it('fetches every head in one request for hovering, and not again once it has them', async () => {
    await chooseHead(1, 1);
    host.requests.length = 0;
    await fetchAllHeads();
    expect(host.named('retention')).toHaveLength(1);
    expect(read('retention').headTokens.filter(Boolean)).toHaveLength(4);
    expect(Array.from(read('retention').headTokens[3]!)).toEqual([0, 2, 4]);
    await fetchAllHeads();
    expect(host.named('retention')).toHaveLength(1);
  });

  it('a view that cannot be re-compacted only moves the slider', async () => {
    host.on('readDocument', ok(view(0.2, { canRecompact: false })));
    await readDocument();
    await flush();
    host.requests.length = 0;
    chooseRatio(0.1);
    await sleep(RECOMPACT_DEBOUNCE_MS + 50);
    expect(host.named('setRatio')).toHaveLength(0);
    expect(read('compression').ratio).toBe(0.1);
  });
});
