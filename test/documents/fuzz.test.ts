import { describe, expect, test } from 'vitest';
import { isLongreadError, type ErrorCode } from '../../engine/errors.js';
import { mulberry32 } from '../../engine/util/random.js';
import { ingestBytes, type DocumentFormat } from '../../engine/documents/ingest/index.js';
import { parseDocumentBytes } from '../../engine/documents/ingest/parse.js';
import { documentProblem } from './document-invariants.js';
import { buildDocx, buildPdf, THREE_PAGES, utf8 } from './build-inputs.js';
import { unzipEntries, zipStored } from './zip-entries.js';

/**
 * Bounded fuzzing: mutated variants of a valid seed per format must each end in a valid DocumentText or a
 * LongreadError with a documents code: never another exception, never a hang (every parse has a time limit).
 */
const DOCUMENT_CODES: ReadonlySet<ErrorCode> = new Set([
  'DOCUMENT_EMPTY', 'UNSUPPORTED_DOCUMENT', 'DOCUMENT_TOO_LARGE', 'BINARY_DOCUMENT', 'PDF_NO_TEXT', 'PDF_ENCRYPTED', 'DOCUMENT_CORRUPT',
]);
const VARIANTS_PER_FORMAT = 250;
const WORKER_VARIANTS_PER_FORMAT = 2;
const DOCX_XML_VARIANTS = 150;
const TIMEOUT_MS = 10_000;

type Random = () => number;

function randomInt(random: Random, below: number): number {
  return Math.floor(random() * below);
}

/** One to three of: bit flips, truncation, inserted garbage, a duplicated range. */
function mutate(seed: Uint8Array, random: Random): Uint8Array {
  let bytes: Uint8Array = seed.slice();
  for (let n = 1 + randomInt(random, 3); n > 0; n--) {
    const at = randomInt(random, bytes.length + 1);
    switch (randomInt(random, 4)) {
      case 0:
        for (let flips = 1 + randomInt(random, 8); flips > 0 && bytes.length > 0; flips--) bytes[randomInt(random, bytes.length)] ^= 1 << randomInt(random, 8);
        break;
      case 1:
        bytes = bytes.slice(0, Math.max(1, at));
        break;
      case 2: {
        const garbage = Uint8Array.from({ length: 1 + randomInt(random, 64) }, () => randomInt(random, 256));
        bytes = concat(bytes.subarray(0, at), garbage, bytes.subarray(at));
        break;
      }
      case 3: {
        const start = randomInt(random, bytes.length);
        const range = bytes.subarray(start, start + 1 + randomInt(random, 512));
        bytes = concat(bytes.subarray(0, at), range, bytes.subarray(at));
        break;
      }
    }
  }
  return bytes;
}

function concat(...pieces: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/** 'ok', or the documents error code; throws (failing the test) on anything else. */
async function outcomeOf(run: () => Promise<Parameters<typeof documentProblem>[0]>, label: string): Promise<string> {
  try {
    const doc = await run();
    const problem = documentProblem(doc);
    if (problem) throw new Error(`${label}: invalid result: ${problem}`);
    return 'ok';
  } catch (e) {
    if (isLongreadError(e) && DOCUMENT_CODES.has(e.code)) return e.code;
    throw new Error(`${label}: ${isLongreadError(e) ? e.code : 'non-Longread'} error: ${(e as Error).message}`, { cause: e });
  }
}

const SEEDS: Record<DocumentFormat, () => Promise<Uint8Array>> = {
  txt: async () => utf8('Plain text with ümlauts, “quotes”, emoji 😀,\r\nCRLF lines\nand a tab\there.\n'.repeat(8)),
  md: async () => utf8('# Title\n\nIntro.\n\n## Part\n\n```\n# code\n```\n\nSetext\n---\n- list\n'.repeat(4)),
  html: async () =>
    utf8(
      '<html><head><title>T &amp; t</title><script>x()</script></head><body><nav>n</nav><h1>Head</h1>' +
        '<p>Para &eacute; <b>bold</b></p><ul><li>a</li><li>b<ol><li>c</li></ol></li></ul><pre> pre\n  text</pre>' +
        '<table><tr><td>1</td><td>2</td></tr></table><h2>Two</h2><p>end<br>line</p></body></html>',
    ),
  pdf: () => buildPdf(THREE_PAGES, { title: 'Fuzz seed' }),
  docx: () => buildDocx({ title: 'Fuzz seed' }),
};

/**
 * pdf.js leaves some internal promises rejected and unobserved when it recovers from a damaged page tree (a library
 * bug; the parse worker ignores such rejections). In this thread they would fail the run, so while fuzzing they are
 * counted instead, and anything else unhandled still fails the test.
 */
class StrayRejections {
  fromPdfjs = 0;
  readonly others: unknown[] = [];
  private saved: NodeJS.UnhandledRejectionListener[] = [];
  private readonly listener = (reason: unknown): void => {
    if (reason instanceof Error && reason.stack?.includes('pdfjs-dist')) this.fromPdfjs++;
    else this.others.push(reason);
  };

  start(): void {
    this.saved = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', this.listener);
  }

  stop(): void {
    process.off('unhandledRejection', this.listener);
    for (const listener of this.saved) process.on('unhandledRejection', listener);
  }
}

const settleTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('fuzzing the parsers with mutated files', () => {
  test.each(Object.keys(SEEDS) as DocumentFormat[])('%s', async (format) => {
    const seed = await SEEDS[format]();
    const random = mulberry32(0x5eed + format.charCodeAt(0) * 131 + format.length);
    const outcomes = new Map<string, number>();
    const count = (outcome: string): string => {
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      return outcome;
    };
    const strays = new StrayRejections();
    /** Variants after which pdf.js left a stray rejection, with their outcome in this thread. */
    const strayVariants: { bytes: Uint8Array; outcome: string }[] = [];

    strays.start();
    try {
      count(await outcomeOf(() => parseDocumentBytes(format, seed.slice(), { timeoutMs: TIMEOUT_MS }), 'seed'));
      expect(outcomes.get('ok')).toBe(1);
      for (let i = 0; i < VARIANTS_PER_FORMAT; i++) {
        const variant = mutate(seed, random);
        const copy = variant.slice(); // the PDF parser may detach the buffer it is given
        const before = strays.fromPdfjs;
        const fileName = `variant-${i}.${format}`;
        const outcome = count(await outcomeOf(() => parseDocumentBytes(format, variant, { fileName, timeoutMs: TIMEOUT_MS }), `${format} variant ${i}`));
        await settleTick();
        if (strays.fromPdfjs > before) strayVariants.push({ bytes: copy, outcome });
      }
      await settleTick();
    } finally {
      strays.stop();
    }
    expect(strays.others).toEqual([]);

    if (format === 'docx') {
      // Mutated zips mostly fail before any XML is read; these variants mutate the document's XML itself instead.
      const entries = unzipEntries(seed);
      const xml = entries.get('word/document.xml');
      expect(xml).toBeDefined();
      for (let i = 0; i < DOCX_XML_VARIANTS; i++) {
        const variant = zipStored(new Map([...entries, ['word/document.xml', mutate(xml!, random)]]));
        count(await outcomeOf(() => parseDocumentBytes('docx', variant, { fileName: `xml-variant-${i}.docx`, timeoutMs: TIMEOUT_MS }), `docx XML variant ${i}`));
      }
    }
    for (let i = 0; i < WORKER_VARIANTS_PER_FORMAT; i++) {
      const variant = mutate(seed, random);
      count(await outcomeOf(() => ingestBytes(`worker-variant-${i}.${format}`, variant, { timeoutMs: TIMEOUT_MS }), `${format} worker variant ${i}`));
    }
    // Where pdf.js left stray rejections, the worker must still come to the same outcome rather than die.
    for (const [i, stray] of strayVariants.slice(0, 2).entries()) {
      expect(await outcomeOf(() => ingestBytes(`stray-${i}.pdf`, stray.bytes, { timeoutMs: TIMEOUT_MS }), `stray variant ${i}`)).toBe(stray.outcome);
    }

    const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(1 + VARIANTS_PER_FORMAT + WORKER_VARIANTS_PER_FORMAT + (format === 'docx' ? DOCX_XML_VARIANTS : 0));
    console.log(`${format}: ${JSON.stringify(Object.fromEntries(outcomes))}; variants leaving stray pdf.js rejections: ${strayVariants.length}`);
  });
});
