import { useMemo } from 'react';
import { shadingForHead, shadingForLayer, type Shading } from '../../lib/retention-shading.js';
import { useStore } from '../../state/store.js';

/** What the text is shaded by now: every head's count, one layer's, or one head's kept tokens. */
export function useShading(): Shading | null {
  const data = useStore((s) => s.retention.data);
  const choice = useStore((s) => s.retention.choice);
  const headTokens = useStore((s) => s.retention.headTokens);
  const all = useMemo(() => (data ? { counts: data.counts, max: data.numLayers * data.numKvHeads } : null), [data]);
  const layerHeads = useMemo(() => {
    if (!data || choice.layer === null) return null;
    const first = choice.layer * data.numKvHeads;
    const heads = choice.head === null ? headTokens.slice(first, first + data.numKvHeads) : [headTokens[first + choice.head]];
    return heads.length > 0 && heads.every((h) => h !== undefined) ? (heads as Int32Array[]) : null;
    // headTokens grows as heads arrive; only the chosen ones matter here.
  }, [data, choice, headTokens]);
  return useMemo(() => {
    if (!data || !layerHeads) return all;
    return choice.head === null ? shadingForLayer(layerHeads, data.documentTokens) : shadingForHead(layerHeads[0], data.documentTokens);
  }, [all, data, layerHeads, choice.head]);
}
