/** What a fuzz run did: how many cases, how they ended, how long it took, and each failure with its seed. */
export class FuzzTally {
  readonly outcomes = new Map<string, number>();
  readonly failures: string[] = [];
  private readonly started = performance.now();
  cases = 0;

  constructor(readonly name: string) {}

  count(outcome: string): void {
    this.cases++;
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }

  fail(seed: number, what: string): void {
    this.cases++;
    if (this.failures.length < 20) this.failures.push(`seed ${seed}: ${what.slice(0, 500)}`);
    else if (this.failures.length === 20) this.failures.push('…');
  }

  get seconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** One line for the log: the numbers a release note quotes. */
  summary(): string {
    const outcomes = [...this.outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    return `FUZZ ${this.name}: ${this.cases} cases in ${this.seconds.toFixed(1)} s, ${this.failures.length} failures (${outcomes})`;
  }
}

/** Whether Object.prototype (or Array's) has picked up anything since the snapshot. */
export function prototypeSnapshot(): () => string[] {
  const before = new Set([...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertyNames(Array.prototype)]);
  return () => [...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertyNames(Array.prototype)].filter((k) => !before.has(k)).concat('polluted' in {} ? ['polluted'] : []);
}
