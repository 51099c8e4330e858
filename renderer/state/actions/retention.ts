import { host } from '../../api/host.js';
import { markRetentionApplied } from '../../lib/render-timing.js';
import { read, update } from '../store.js';

/** Bumped for every new retention map: answers for an older one are dropped. */
let generation = 0;

const headIndex = (layer: number, head: number) => layer * (read('retention').data?.numKvHeads ?? 0) + head;

/** The retention map of the current view (counts per token, per-head totals), and the chosen head's tokens. */
export async function fetchRetention(): Promise<void> {
  const documentId = read('document').info?.documentId;
  if (!documentId) return;
  const mine = ++generation;
  update('retention', { loading: true, error: null });
  const { layer, head } = read('retention').choice;
  const reply = await host().request('retention', { documentId, ...(layer !== null && head !== null ? { layer, head } : {}) });
  if (mine !== generation) return;
  if (!reply.ok) {
    update('retention', { loading: false, error: reply.error });
    return;
  }
  const data = reply.value;
  const headTokens: (Int32Array | undefined)[] = [];
  const headBeta: (Float32Array | undefined)[] = [];
  if (data.head) {
    headTokens[data.head.layer * data.numKvHeads + data.head.head] = data.head.tokens;
    headBeta[data.head.layer * data.numKvHeads + data.head.head] = data.head.beta;
  }
  markRetentionApplied();
  update('retention', { data, headTokens, headBeta, loading: false });
  if (layer !== null && head === null) await fetchHeads(headsOfLayer(layer, data.numKvHeads));
}

/** Shade by all heads (null, null), one layer (layer, null) or one head. */
export async function chooseHead(layer: number | null, head: number | null): Promise<void> {
  const choice = { layer, head: layer === null ? null : head };
  update('retention', { choice });
  const data = read('retention').data;
  if (!data || choice.layer === null) return;
  await fetchHeads(choice.head === null ? headsOfLayer(choice.layer, data.numKvHeads) : [{ layer: choice.layer, head: choice.head }]);
}

/** Every head's kept tokens in one request, so hovering a token can list the heads that kept it. */
export async function fetchAllHeads(): Promise<void> {
  const documentId = read('document').info?.documentId;
  const data = read('retention').data;
  if (!documentId || !data || read('retention').headTokens.filter(Boolean).length === data.numLayers * data.numKvHeads) return;
  const mine = generation;
  const reply = await host().request('retention', { documentId, allHeads: true });
  if (mine !== generation) return;
  if (!reply.ok) {
    update('retention', { error: reply.error });
    return;
  }
  const all = reply.value.allHeads;
  if (!all) return;
  const heads = all.offsets.length - 1;
  const headTokens = Array.from({ length: heads }, (_, i) => all.tokens.subarray(all.offsets[i], all.offsets[i + 1]));
  const headBeta = Array.from({ length: heads }, (_, i) => all.beta.subarray(all.offsets[i], all.offsets[i + 1]));
  update('retention', { headTokens, headBeta });
}

export function hoverToken(token: number | null): void {
  if (read('retention').hoveredToken !== token) update('retention', { hoveredToken: token });
}

export function chooseGridMetric(gridMetric: 'retention' | 'beta'): void {
  update('retention', { gridMetric });
}

function headsOfLayer(layer: number, numKvHeads: number): { layer: number; head: number }[] {
  return Array.from({ length: numKvHeads }, (_, head) => ({ layer, head }));
}

const FETCH_CONCURRENCY = 4;

/** Fetches the kept tokens of the heads not fetched yet for the current map, a few at a time. */
async function fetchHeads(heads: { layer: number; head: number }[]): Promise<void> {
  const documentId = read('document').info?.documentId;
  const mine = generation;
  const missing = heads.filter((h) => !read('retention').headTokens[headIndex(h.layer, h.head)]);
  if (!documentId || missing.length === 0) return;
  const queue = [...missing];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const reply = await host().request('retention', { documentId, layer: next.layer, head: next.head });
      if (mine !== generation) return;
      if (!reply.ok) {
        update('retention', { error: reply.error });
        return;
      }
      const kept = reply.value.head;
      if (!kept) continue;
      const i = headIndex(kept.layer, kept.head);
      update('retention', (r) => {
        const headTokens = [...r.headTokens];
        const headBeta = [...r.headBeta];
        headTokens[i] = kept.tokens;
        headBeta[i] = kept.beta;
        return { headTokens, headBeta };
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, queue.length) }, worker));
}
