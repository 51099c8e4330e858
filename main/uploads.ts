import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export const DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

export type UploadResult = { ok: true; uploadId: string } | { ok: false; status: number; code: string; message: string };

/** A file name safe to create: the last path component, control and reserved characters replaced, length bounded. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = Array.from(base, (c) => (c.charCodeAt(0) < 32 || '<>:"|?*'.includes(c) ? '_' : c))
    .join('')
    .replace(/^\.+/, '_')
    .slice(-200);
  return cleaned || 'document';
}

/**
 * The web host's uploads: each request body is streamed to its own file in a private temporary folder (never held
 * in memory, never parsed as JSON), bounded in size; the engine then reads it by path. Removed on close.
 */
export class UploadStore {
  readonly dir: string;
  /** In arrival order: the oldest are removed once more than `keep` are held. */
  private readonly files = new Map<string, { path: string; name: string }>();

  constructor(
    readonly maxBytes = DEFAULT_MAX_UPLOAD_BYTES,
    /** Uploads kept for re-opening (e.g. with another page range); a document once read lives in the library. */
    private readonly keep = 4,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-uploads-'));
  }

  resolve(uploadId: string): { path: string; name: string } | null {
    return this.files.get(uploadId) ?? null;
  }

  receive(req: http.IncomingMessage, name: string): Promise<UploadResult> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > this.maxBytes) {
      req.resume();
      return Promise.resolve(tooLarge(this.maxBytes));
    }
    const uploadId = randomUUID();
    const folder = path.join(this.dir, uploadId);
    fs.mkdirSync(folder, { mode: 0o700 });
    const file = path.join(folder, safeFileName(name));
    return new Promise((resolve) => {
      const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
      let size = 0;
      let failed: UploadResult | null = null;
      const stop = (result: UploadResult) => {
        if (failed) return;
        failed = result;
        req.unpipe(out);
        req.resume(); // drain the rest so the reply can be sent
        out.destroy();
        fs.rmSync(folder, { recursive: true, force: true });
        resolve(result);
      };
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxBytes) stop(tooLarge(this.maxBytes));
      });
      req.on('aborted', () => stop({ ok: false, status: 400, code: 'INVALID_REQUEST', message: 'The upload was interrupted' }));
      out.on('error', (e) => stop({ ok: false, status: 500, code: 'INTERNAL', message: `The upload could not be stored: ${e.message}` }));
      out.on('finish', () => {
        if (failed) return;
        this.files.set(uploadId, { path: file, name: safeFileName(name) });
        this.evictOldest();
        resolve({ ok: true, uploadId });
      });
      req.pipe(out);
    });
  }

  private evictOldest(): void {
    for (const [id, f] of this.files) {
      if (this.files.size <= this.keep) break;
      this.files.delete(id);
      fs.rmSync(path.dirname(f.path), { recursive: true, force: true });
    }
  }

  close(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
    this.files.clear();
  }
}

function tooLarge(max: number): UploadResult {
  return { ok: false, status: 413, code: 'DOCUMENT_TOO_LARGE', message: `The file is larger than the ${Math.round(max / 2 ** 20)} MiB this host accepts` };
}
