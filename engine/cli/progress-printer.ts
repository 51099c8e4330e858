import type { ProgressEvent } from '../../common/contract.js';

const STAGE_NAMES: Record<ProgressEvent['stage'], string> = {
  convert: 'converting the model',
  load: 'loading',
  parse: 'parsing',
  tokenize: 'tokenizing',
  read: 'reading',
  'reference-queries': 'collecting reference queries',
  compact: 'compacting',
  recompact: 'compacting again',
  prefill: 'reading the prompt',
  download: 'downloading',
  save: 'saving',
  open: 'opening',
};

function amount(n: number, unit: ProgressEvent['unit']): string {
  if (unit === 'bytes') return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${Math.round(n).toLocaleString('en-US')} ${unit}`;
}

function eta(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '';
  const s = Math.round(ms / 1000);
  return s >= 60 ? `, ${Math.floor(s / 60)} min ${s % 60} s left` : `, ${s} s left`;
}

/**
 * Progress for a person on stderr: one redrawn bar on a terminal, plain lines otherwise (a line per stage and per
 * tenth of it, so logs stay short).
 */
export function progressPrinter(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }): { show(e: ProgressEvent): void; done(): void } {
  let lastStage = '';
  let lastTenth = -1;
  let drawn = false;
  return {
    show(e) {
      const pct = e.total > 0 ? Math.min(100, (100 * e.done) / e.total) : 0;
      const rate = e.rate ? `, ${amount(e.rate, e.unit)}/s` : '';
      const text = `${STAGE_NAMES[e.stage]}: ${pct.toFixed(0)}% (${amount(e.done, e.unit)} of ${amount(e.total, e.unit)}${rate}${eta(e.etaMs)})`;
      if (stream.isTTY) {
        const width = 24;
        const filled = Math.round((pct / 100) * width);
        const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`;
        stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1).padEnd(Math.min(119, (stream.columns ?? 120) - 1))}`);
        drawn = true;
        return;
      }
      const tenth = Math.floor(pct / 10);
      if (e.stage === lastStage && tenth === lastTenth) return;
      lastStage = e.stage;
      lastTenth = tenth;
      stream.write(`${text}\n`);
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
