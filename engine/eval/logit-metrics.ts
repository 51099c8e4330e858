/** Next-token agreement between a reference and a test model over the same teacher-forced positions. */
export interface LogitComparison {
  /** Mean KL(reference ‖ test) in nats over the compared positions. */
  kl: number;
  /** Fraction of positions where both argmaxes agree. */
  top1: number;
  positions: number;
}

function logSoftmax(row: Float32Array): Float64Array {
  let m = -Infinity;
  for (const x of row) if (x > m) m = x;
  let s = 0;
  for (const x of row) s += Math.exp(x - m);
  const lse = m + Math.log(s);
  return Float64Array.from(row, (x) => x - lse);
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** Compares the first `positions` rows of two [N, vocab] logit matrices. */
export function compareLogits(reference: Float32Array, test: Float32Array, vocab: number, positions: number): LogitComparison {
  let kl = 0;
  let agree = 0;
  for (let i = 0; i < positions; i++) {
    const r = reference.subarray(i * vocab, (i + 1) * vocab);
    const t = test.subarray(i * vocab, (i + 1) * vocab);
    const lr = logSoftmax(r);
    const lt = logSoftmax(t);
    let k = 0;
    for (let v = 0; v < vocab; v++) k += Math.exp(lr[v]) * (lr[v] - lt[v]);
    kl += Math.max(0, k);
    if (argmax(r) === argmax(t)) agree++;
  }
  return { kl: kl / positions, top1: agree / positions, positions };
}

/** exp(mean −log p(targets[i] | row i)) over the rows that have a target. */
export function perplexity(logits: Float32Array, vocab: number, targets: readonly number[]): number {
  let nll = 0;
  for (let i = 0; i < targets.length; i++) nll -= logSoftmax(logits.subarray(i * vocab, (i + 1) * vocab))[targets[i]];
  return Math.exp(nll / targets.length);
}
