/** Resident memory of the engine and the server, sampled at the end of each round of a soak run. */
export interface MemorySample {
  round: number;
  seconds: number;
  engineRss: number;
  serverRss: number;
}

const MB = 2 ** 20;

export class MemoryCurve {
  readonly samples: MemorySample[] = [];

  add(sample: MemorySample): void {
    this.samples.push(sample);
  }

  /** The level after warm-up: the median of the `window` samples that end the warm-up. */
  levelAfter(warmupRounds: number, window: number, key: 'engineRss' | 'serverRss'): number {
    return median(this.samples.slice(Math.max(0, warmupRounds - window), warmupRounds).map((s) => s[key]));
  }

  /** Where the run ended: the median of the last `window` samples. */
  finalLevel(window: number, key: 'engineRss' | 'serverRss'): number {
    return median(this.samples.slice(-window).map((s) => s[key]));
  }

  /** Least-squares growth per round over the samples after warm-up, in bytes. */
  slopePerRound(warmupRounds: number, key: 'engineRss' | 'serverRss'): number {
    const pts = this.samples.slice(warmupRounds);
    if (pts.length < 2) return 0;
    const mx = pts.reduce((a, p) => a + p.round, 0) / pts.length;
    const my = pts.reduce((a, p) => a + p[key], 0) / pts.length;
    const num = pts.reduce((a, p) => a + (p.round - mx) * (p[key] - my), 0);
    const den = pts.reduce((a, p) => a + (p.round - mx) ** 2, 0);
    return num / den;
  }

  /** The curve as a table a person can read: one line per round. */
  table(): string {
    const rows = this.samples.map((s) => `${String(s.round).padStart(5)}  ${s.seconds.toFixed(1).padStart(7)}  ${(s.engineRss / MB).toFixed(1).padStart(9)}  ${(s.serverRss / MB).toFixed(1).padStart(9)}`);
    return ['round  time(s)  engine MB  server MB', ...rows].join('\n');
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
