import type { Retention } from '../../common/contract.js';
import type { KvCache } from '../cache/kv-cache.js';
import type { DocumentSpan } from '../compaction/cache/span.js';
import { LongreadError } from '../errors.js';

/**
 * Which document tokens the compacted cache kept: per token, how many (layer, KV head) pairs hold it; per head, how
 * many document slots it kept and their mean β; and, for one chosen head, exactly which tokens and their β.
 * Typed arrays only, so it travels as binary.
 */
export function retentionOf(
  cache: KvCache,
  span: DocumentSpan,
  charOffsets: Int32Array,
  documentId: string,
  chosen?: { layer: number; head: number },
  allHeads = false,
): Retention {
  const { numLayers: L, numKvHeads: KV } = cache.shape;
  const n = span.end - span.start;
  const inRange = (x: number, n: number) => Number.isInteger(x) && x >= 0 && x < n;
  if (chosen && !(inRange(chosen.layer, L) && inRange(chosen.head, KV))) {
    throw new LongreadError('BAD_ARGUMENT', `there is no layer ${chosen.layer}, KV head ${chosen.head}: the model has ${L} layers of ${KV} KV heads`);
  }
  const counts = new Uint16Array(n);
  const headSlots = new Int32Array(L * KV);
  const headMeanBeta = new Float32Array(L * KV);
  let head: Retention['head'] = null;
  // Every head's kept tokens, when asked: at most every slot of the cache.
  const total = allHeads ? cache.layers.reduce((a, layer) => a + layer.used.reduce((x, y) => x + y, 0), 0) : 0;
  const all = allHeads ? { offsets: new Int32Array(L * KV + 1), tokens: new Int32Array(total), beta: new Float32Array(total) } : null;
  let written = 0;
  for (let l = 0; l < L; l++) {
    const layer = cache.layers[l];
    for (let h = 0; h < KV; h++) {
      const base = h * layer.capacity;
      const used = layer.used[h];
      let kept = 0;
      let betaSum = 0;
      const isChosen = chosen?.layer === l && chosen.head === h;
      const tokens: number[] = [];
      const beta: number[] = [];
      for (let s = 0; s < used; s++) {
        const token = layer.sources[base + s] - span.start;
        if (token < 0 || token >= n) continue;
        counts[token]++;
        kept++;
        betaSum += layer.bias[base + s];
        if (all) {
          all.tokens[written] = token;
          all.beta[written++] = layer.bias[base + s];
        }
        if (isChosen) {
          tokens.push(token);
          beta.push(layer.bias[base + s]);
        }
      }
      headSlots[l * KV + h] = kept;
      if (all) all.offsets[l * KV + h + 1] = written;
      headMeanBeta[l * KV + h] = kept ? betaSum / kept : 0;
      if (isChosen) head = { layer: l, head: h, tokens: Int32Array.from(tokens), beta: Float32Array.from(beta) };
    }
  }
  const allHeadsOut = all ? { offsets: all.offsets, tokens: all.tokens.slice(0, written), beta: all.beta.slice(0, written) } : null;
  return { documentId, numLayers: L, numKvHeads: KV, documentTokens: n, counts, charOffsets: charOffsets.slice(), headSlots, headMeanBeta, head, allHeads: allHeadsOut };
}
