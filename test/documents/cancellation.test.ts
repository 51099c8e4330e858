import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { isLongreadError } from '../../engine/errors.js';
import { ingestBytes, ingestFile } from '../../engine/documents/ingest/index.js';
import { buildPdf, manyPages } from './build-inputs.js';

let bigPdf: Uint8Array;
beforeAll(async () => {
  bigPdf = await buildPdf(manyPages(300));
});

async function settle(promise: Promise<unknown>): Promise<{ error: unknown; at: number }> {
  try {
    await promise;
    return { error: null, at: Date.now() };
  } catch (error) {
    return { error, at: Date.now() };
  }
}

describe('cancelling and time limits (worker path)', () => {
  test('aborting while a 300-page PDF is being parsed rejects with CANCELLED at once', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    let pagesSeen = 0;
    let pagesTotal = 0;
    const outcome = await settle(
      ingestBytes('long.pdf', bigPdf, {
        signal: controller.signal,
        onProgress: (done, total) => {
          pagesSeen = done;
          pagesTotal = total;
          if (!abortedAt) {
            abortedAt = Date.now();
            controller.abort();
          }
        },
      }),
    );
    expect(isLongreadError(outcome.error, 'CANCELLED')).toBe(true);
    expect((outcome.error as Error).message).toContain('long.pdf');
    expect(pagesTotal).toBe(300);
    expect(pagesSeen).toBeLessThan(300);
    expect(outcome.at - abortedAt).toBeLessThan(500);
  });

  test('an already aborted signal rejects before any work', async () => {
    const t0 = Date.now();
    const outcome = await settle(ingestBytes('long.pdf', bigPdf, { signal: AbortSignal.abort() }));
    expect(isLongreadError(outcome.error, 'CANCELLED')).toBe(true);
    expect(outcome.at - t0).toBeLessThan(200);
  });

  test('parsing longer than timeoutMs is stopped with DOCUMENT_CORRUPT', async () => {
    const t0 = Date.now();
    const outcome = await settle(ingestBytes('long.pdf', bigPdf, { timeoutMs: 300 }));
    expect(isLongreadError(outcome.error, 'DOCUMENT_CORRUPT')).toBe(true);
    expect((outcome.error as Error).message).toMatch(/long\.pdf took longer than 300 ms/);
    expect(outcome.at - t0).toBeLessThan(2000);
  });

  test('ingestFile honours the signal too', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-ingest-cancel-'));
    try {
      const file = path.join(dir, 'long.pdf');
      fs.writeFileSync(file, bigPdf);
      const controller = new AbortController();
      const pending = settle(ingestFile(file, { signal: controller.signal }));
      setTimeout(() => controller.abort(), 50);
      const outcome = await pending;
      expect(isLongreadError(outcome.error, 'CANCELLED')).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a parse that finishes in time is not affected by timeoutMs and reports every page', async () => {
    let last = 0;
    const doc = await ingestBytes('long.pdf', bigPdf, { timeoutMs: 60_000, onProgress: (done) => (last = done) });
    expect(doc.pageCount).toBe(300);
    expect(last).toBe(300);
    expect(doc.text.slice(doc.parts[299].start, doc.parts[299].end)).toMatch(/^Page 300 line 1: the quick brown fox/);
  });
});
