/** Numbers as a person reads them. */

const KIB = 1024;
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  let value = bytes;
  let unit = 0;
  while (value >= KIB && unit < UNITS.length - 1) {
    value /= KIB;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** "0.5%", "12%", "100%": two significant digits below 10%. */
export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  if (p >= 10) return `${Math.round(p)}%`;
  if (p >= 1) return `${Number(p.toPrecision(2))}%`;
  return `${Number(p.toPrecision(1))}%`;
}

/** "45 s", "3 min 05 s", "2 h 10 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return 'under 1 s';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

const RATE_UNITS: Record<string, string> = { tokens: 'tok/s', bytes: '/s', layers: 'layers/s', pages: 'pages/s', blocks: 'blocks/s' };

export function formatRate(rate: number | null, unit: string): string {
  if (rate === null || !Number.isFinite(rate)) return '';
  if (unit === 'bytes') return `${formatBytes(rate)}/s`;
  return `${rate >= 100 ? Math.round(rate).toLocaleString('en-US') : rate.toFixed(1)} ${RATE_UNITS[unit] ?? `${unit}/s`}`;
}

export function formatAmount(n: number, unit: string): string {
  return unit === 'bytes' ? formatBytes(n) : `${formatCount(n)} ${unit}`;
}

export function tokensPerSecond(msPerToken: number | null): string {
  return msPerToken && msPerToken > 0 ? `${(1000 / msPerToken).toFixed(1)} tok/s` : '–';
}
