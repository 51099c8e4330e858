import { useEffect } from 'react';
import { headsKeeping, sortedIndexOf } from '../../lib/retention-shading.js';
import { fetchAllHeads } from '../../state/actions/retention.js';
import { useStore } from '../../state/store.js';

/** The hovered token: which heads kept it (every head's list is fetched on the first hover). */
export function TokenInspector() {
  const token = useStore((s) => s.retention.hoveredToken);
  const data = useStore((s) => s.retention.data);
  const headTokens = useStore((s) => s.retention.headTokens);
  const headBeta = useStore((s) => s.retention.headBeta);
  const choice = useStore((s) => s.retention.choice);
  const text = useStore((s) => s.document.text);
  const fetched = headTokens.filter(Boolean).length;
  const total = data ? data.numLayers * data.numKvHeads : 0;

  useEffect(() => {
    if (token !== null && data && fetched < total) void fetchAllHeads();
  }, [token, data, fetched, total]);

  if (!data || token === null || token >= data.documentTokens) {
    return <p className="token-inspector muted small">Hover a token to see which heads kept it.</p>;
  }
  const piece = text ? text.slice(data.charOffsets[2 * token], data.charOffsets[2 * token + 1]) : '';
  const heads = headsKeeping(token, headTokens, data.numKvHeads);
  let beta = '';
  if (choice.layer !== null && choice.head !== null) {
    const i = choice.layer * data.numKvHeads + choice.head;
    const at = headTokens[i] ? sortedIndexOf(headTokens[i]!, token) : -1;
    beta = at >= 0 && headBeta[i] ? ` · β ${headBeta[i]![at].toFixed(3)} in the chosen head` : '';
  }
  return (
    <p className="token-inspector small" data-testid="token-inspector">
      Token {token.toLocaleString('en-US')} <code>{JSON.stringify(piece)}</code>: kept by {data.counts[token]} of {total} heads
      {fetched < total ? ' (loading which…)' : heads.length > 0 ? ` — ${listHeads(heads)}` : ''}
      {beta}
    </p>
  );
}

const LISTED = 12;

function listHeads(heads: { layer: number; head: number }[]): string {
  const names = heads.slice(0, LISTED).map((h) => `L${h.layer}·H${h.head}`);
  return heads.length > LISTED ? `${names.join(', ')} and ${heads.length - LISTED} more` : names.join(', ');
}
