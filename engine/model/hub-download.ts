import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LongreadError } from '../errors.js';
import { hfHubCacheDir, hfSnapshotDir, readIndexShards, selectModelFiles, SINGLE_WEIGHTS, WEIGHTS_INDEX } from './hub-files.js';

export { hfHubCacheDir, selectModelFiles, WEIGHTS_INDEX } from './hub-files.js';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** One file of a hub repository as the API lists it; size and sha256 are null when the listing omits them. */
export interface RepoFile {
  name: string;
  size: number | null;
  /** Hex sha256 of the content, given for files stored with Git LFS (the weights). */
  sha256: string | null;
}

export interface RepoListing {
  /** The commit the revision resolved to, when the hub says. */
  commit: string | null;
  files: RepoFile[];
}

export interface DownloadProgress {
  file: string;
  bytesDone: number;
  bytesTotal: number | null;
  overallDone: number;
  /** null while the size of some selected file is unknown. */
  overallTotal: number | null;
}

export interface HubRequestOptions {
  /** "owner/name", e.g. "Qwen/Qwen3-0.6B". */
  repo: string;
  /** Branch, tag or commit; default "main". */
  revision?: string;
  /** Default: HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /** Hugging Face access token (what HF_TOKEN holds), sent as a bearer token; needed for gated or private repos. */
  token?: string;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
}

export interface DownloadModelOptions extends HubRequestOptions {
  /** Local folder to download into; created if needed. */
  dir: string;
  /** Repository paths to fetch; default: what `selectModelFiles` picks. */
  files?: string[];
  /**
   * A Hugging Face hub cache (the models--OWNER--NAME/snapshots/COMMIT layout that transformers and huggingface-cli
   * download into) whose files are reused, hard-linked or copied and then verified like any download, instead of
   * being fetched again. Default: `hfHubCacheDir()`; null: never.
   */
  hfCache?: string | null;
  onProgress?: (progress: DownloadProgress) => void;
  /** Minimum milliseconds between progress callbacks within a file (its start and end are always reported). */
  progressIntervalMs?: number;
  /** How many times a dropped connection or server error is retried (resuming) before giving up; default 3. */
  retries?: number;
  /** Wait before retry k is k × this; default 1000 ms. */
  retryDelayMs?: number;
}

export interface DownloadModelResult {
  dir: string;
  /** Every selected file, relative to `dir`. */
  files: string[];
  /** Fetched (fully or by resuming) in this call. */
  downloaded: string[];
  /** Already complete and verified. */
  skipped: string[];
  /** Taken from the Hugging Face hub cache (`hfCache`), verified. */
  reused: string[];
}

function endpointOf(opts: HubRequestOptions): string {
  return (opts.endpoint ?? (process.env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT)).replace(/\/+$/, '');
}

function checkRepo(repo: string): void {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(repo)) {
    throw new LongreadError('BAD_ARGUMENT', `"${repo}" is not a Hugging Face repository id like "Qwen/Qwen3-0.6B".`);
  }
}

function checkRepoPath(name: string): void {
  const parts = name.split('/');
  if (!name || name.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) {
    throw new LongreadError('BAD_ARGUMENT', `Refusing to download "${name}": not a plain path inside the repository.`);
  }
}

function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

function httpFailure(url: string, status: number, statusText: string, what: string): LongreadError {
  let hint = '';
  if (status === 401 || status === 403) hint = ' The repository may be gated or private: pass a Hugging Face token.';
  if (status === 404) hint = ' Check the repository id, revision and file name.';
  return new LongreadError('DOWNLOAD_FAILED', `Could not ${what}: GET ${url} returned HTTP ${status} ${statusText}.${hint}`);
}

function cancelled(): LongreadError {
  return new LongreadError('CANCELLED', 'Download cancelled; run it again to resume where it stopped.');
}

async function hubFetch(url: string, init: RequestInit, opts: HubRequestOptions, what: string): Promise<Response> {
  try {
    return await (opts.fetchImpl ?? fetch)(url, { ...init, signal: opts.signal, redirect: 'follow' });
  } catch (e) {
    if (opts.signal?.aborted) throw cancelled();
    throw retryable(new LongreadError('DOWNLOAD_FAILED', `Could not ${what}: GET ${url} failed (${describe(e)}).`, { cause: e }));
  }
}

function describe(e: unknown): string {
  const err = e as { message?: string; cause?: { message?: string; code?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return [err.message ?? String(e), cause].filter(Boolean).join(': ');
}

/** Errors worth retrying (dropped connections, 5xx): the next attempt resumes from the .partial file. */
const retryableErrors = new WeakSet<Error>();
function retryable(e: LongreadError): LongreadError {
  retryableErrors.add(e);
  return e;
}

/** Lists a repository's files at a revision, with sizes and LFS checksums (`blobs=true` asks the hub for them). */
export async function listRepo(opts: HubRequestOptions): Promise<RepoListing> {
  checkRepo(opts.repo);
  const revision = opts.revision ?? 'main';
  const url = `${endpointOf(opts)}/api/models/${opts.repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
  const what = `list the files of ${opts.repo}@${revision}`;
  const res = await hubFetch(url, { headers: authHeaders(opts.token) }, opts, what);
  if (!res.ok) throw httpFailure(url, res.status, res.statusText, what);
  let body: unknown;
  try {
    body = await res.json();
  } catch (e) {
    if (opts.signal?.aborted) throw cancelled();
    throw new LongreadError('DOWNLOAD_FAILED', `Could not ${what}: ${url} did not return JSON.`, { cause: e });
  }
  const { siblings, sha } = (body ?? {}) as { siblings?: unknown; sha?: unknown };
  if (!Array.isArray(siblings)) {
    throw new LongreadError('DOWNLOAD_FAILED', `Could not ${what}: the reply from ${url} has no "siblings" list.`);
  }
  const files = siblings
    .filter((s): s is { rfilename: string; size?: unknown; lfs?: { sha256?: unknown; size?: unknown } } => typeof s?.rfilename === 'string')
    .map((s) => {
      const size = typeof s.lfs?.size === 'number' ? s.lfs.size : typeof s.size === 'number' ? s.size : null;
      const sha256 = typeof s.lfs?.sha256 === 'string' ? s.lfs.sha256.toLowerCase() : null;
      return { name: s.rfilename, size, sha256 };
    });
  return { commit: typeof sha === 'string' && /^\w+$/.test(sha) ? sha : null, files };
}

/** Throttles progress callbacks and keeps the running totals across files. */
class ProgressReporter {
  private finishedBytes = 0;
  private lastReport = 0;

  constructor(
    private readonly onProgress: ((p: DownloadProgress) => void) | undefined,
    private readonly intervalMs: number,
    private readonly overallTotal: number | null,
  ) {}

  report(file: string, bytesDone: number, bytesTotal: number | null, force: boolean): void {
    if (!this.onProgress) return;
    const now = Date.now();
    if (!force && now - this.lastReport < this.intervalMs) return;
    this.lastReport = now;
    this.onProgress({ file, bytesDone, bytesTotal, overallDone: this.finishedBytes + bytesDone, overallTotal: this.overallTotal });
  }

  finish(file: string, bytes: number): void {
    this.report(file, bytes, bytes, true);
    this.finishedBytes += bytes;
  }
}

interface FileJob {
  file: RepoFile;
  url: string;
  target: string;
  partial: string;
  opts: DownloadModelOptions;
  progress: ProgressReporter;
  /** The Hugging Face hub cache's snapshot folder for the listed commit, if any. */
  snapshot: string | null;
}

/**
 * Downloads a model repository into `dir`. Each file streams into `<file>.partial` (hashed while written) and is
 * renamed once its size and sha256 check out; an existing .partial is resumed with a Range request, so a cancelled
 * or interrupted download continues where it stopped. Files already present and verified are skipped, and files the
 * Hugging Face hub cache holds for the same commit are reused.
 */
export async function downloadModel(opts: DownloadModelOptions): Promise<DownloadModelResult> {
  const revision = opts.revision ?? 'main';
  const listing = await listRepo(opts);
  const byName = new Map(listing.files.map((f) => [f.name, f]));
  if (!opts.files && !byName.has('config.json')) {
    throw new LongreadError('DOWNLOAD_FAILED', `${opts.repo}@${revision} has no config.json: it is not a model repository Longread can run.`);
  }
  if (!opts.files && !byName.has(WEIGHTS_INDEX) && !byName.has(SINGLE_WEIGHTS)) {
    throw new LongreadError(
      'DOWNLOAD_FAILED',
      `${opts.repo}@${revision} has neither ${SINGLE_WEIGHTS} nor ${WEIGHTS_INDEX}: Longread reads transformers safetensors weights.`,
    );
  }
  const fileNamed = (name: string): RepoFile => {
    checkRepoPath(name);
    const file = byName.get(name);
    if (!file) throw new LongreadError('DOWNLOAD_FAILED', `${opts.repo}@${revision} has no file "${name}".`);
    return file;
  };
  const base = `${endpointOf(opts)}/${opts.repo}/resolve/${encodeURIComponent(revision)}/`;
  const dir = path.resolve(opts.dir);
  const hfCache = opts.hfCache === undefined ? hfHubCacheDir() : opts.hfCache;
  const snapshot = hfCache && listing.commit ? hfSnapshotDir(hfCache, opts.repo, listing.commit) : null;
  const jobFor = (file: RepoFile, progress: ProgressReporter): FileJob => {
    const target = path.join(dir, ...file.name.split('/'));
    return { file, url: base + file.name.split('/').map(encodeURIComponent).join('/'), target, partial: `${target}.partial`, opts, progress, snapshot };
  };

  const outcomes = new Map<string, FetchOutcome>();
  let names = opts.files;
  if (!names) {
    let indexShards: string[] | undefined;
    if (byName.has(WEIGHTS_INDEX)) {
      // The index names the shards to fetch, so it comes first (a few kB: no progress reports).
      const job = jobFor(fileNamed(WEIGHTS_INDEX), new ProgressReporter(undefined, 0, null));
      outcomes.set(WEIGHTS_INDEX, await fetchFile(job));
      indexShards = readIndexShards(job.target, job.url);
    }
    names = selectModelFiles(listing.files, indexShards);
  }
  const selected = names.map(fileNamed);
  const overallTotal = selected.every((f) => f.size !== null) ? selected.reduce((a, f) => a + (f.size ?? 0), 0) : null;
  const progress = new ProgressReporter(opts.onProgress, opts.progressIntervalMs ?? 200, overallTotal);
  const result: DownloadModelResult = { dir, files: selected.map((f) => f.name), downloaded: [], skipped: [], reused: [] };

  for (const file of selected) {
    if (opts.signal?.aborted) throw cancelled();
    const job = jobFor(file, progress);
    const outcome = outcomes.get(file.name) ?? (await fetchFile(job));
    progress.finish(file.name, (await fsp.stat(job.target)).size);
    result[outcome].push(file.name);
  }
  return result;
}

type FetchOutcome = 'downloaded' | 'skipped' | 'reused';

async function fetchFile(job: FileJob): Promise<FetchOutcome> {
  await fsp.mkdir(path.dirname(job.target), { recursive: true });
  if (await isComplete(job)) return 'skipped';
  if (await reuseFromHfCache(job)) return 'reused';
  await downloadWithRetries(job);
  return 'downloaded';
}

/** Why a hard link can fail where a copy works: another device, a filesystem without links, protected_hardlinks. */
const LINK_REFUSED = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK']);

/**
 * Puts the hub cache's copy of the file at the target (a hard link, so no second copy on disk; a copy across
 * devices) and keeps it only if it checks out against the listing, like a finished download.
 */
async function reuseFromHfCache(job: FileJob): Promise<boolean> {
  if (!job.snapshot) return false;
  let blob: string;
  try {
    // Snapshot entries are symlinks into ../../blobs; a hard link must point at the blob itself.
    blob = await fsp.realpath(path.join(job.snapshot, ...job.file.name.split('/')));
    if (!(await fsp.stat(blob)).isFile()) return false;
  } catch {
    return false;
  }
  try {
    await fsp.link(blob, job.target);
  } catch (e) {
    if (!LINK_REFUSED.has((e as NodeJS.ErrnoException).code ?? '')) return false;
    await fsp.copyFile(blob, job.target);
  }
  if (!(await isComplete(job))) return false;
  await fsp.rm(job.partial, { force: true });
  return true;
}

async function sha256OfFile(file: string, hash: Hash, signal: AbortSignal | undefined): Promise<void> {
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    if (signal?.aborted) throw cancelled();
    hash.update(chunk as Buffer);
  }
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await fsp.stat(file)).size;
  } catch {
    return null;
  }
}

/** A finished file counts as complete if its size and sha256 match whatever the listing tells; otherwise it is removed. */
async function isComplete({ file, target, opts }: FileJob): Promise<boolean> {
  const size = await sizeOf(target);
  if (size === null) return false;
  let ok = file.size === null || size === file.size;
  if (ok && file.sha256) {
    const hash = createHash('sha256');
    await sha256OfFile(target, hash, opts.signal);
    ok = hash.digest('hex') === file.sha256;
  }
  if (!ok) await fsp.rm(target, { force: true });
  return ok;
}

async function downloadWithRetries(job: FileJob): Promise<number> {
  const retries = job.opts.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await downloadFile(job);
    } catch (e) {
      if (job.opts.signal?.aborted) throw cancelled();
      if (!(e instanceof Error) || !retryableErrors.has(e) || attempt >= retries) throw e;
      try {
        await sleep((job.opts.retryDelayMs ?? 1000) * (attempt + 1), undefined, { signal: job.opts.signal });
      } catch {
        throw cancelled();
      }
    }
  }
}

/** Fetches (or resumes) one file into its .partial, verifies it and renames it into place; returns its size. */
async function downloadFile(job: FileJob): Promise<number> {
  const { file, url, partial, opts } = job;
  let have = (await sizeOf(partial)) ?? 0;
  if (file.size !== null && have > file.size) have = 0; // not a prefix of this file: start over
  let hash = createHash('sha256');
  if (have > 0) await sha256OfFile(partial, hash, opts.signal);
  if (file.size !== null && have === file.size) return finishFile(job, have, hash);

  const what = `download ${file.name}`;
  const headers = authHeaders(opts.token);
  const res = await hubFetch(url, { headers: have > 0 ? { ...headers, range: `bytes=${have}-` } : headers }, opts, what);
  let total = file.size;
  if (res.status === 206 && have > 0) {
    if (contentRangeStart(res) !== have) {
      await res.body?.cancel();
      await fsp.rm(partial, { force: true });
      throw retryable(new LongreadError('DOWNLOAD_FAILED', `GET ${url} answered a different byte range than bytes=${have}-; restarting the file.`));
    }
    total ??= contentRangeTotal(res);
  } else if (res.status === 200) {
    // A full reply, also what a server that ignores Range sends: start over from the first byte.
    have = 0;
    hash = createHash('sha256');
    total ??= contentLength(res);
  } else if (res.status === 416 && have > 0) {
    await res.body?.cancel();
    await fsp.rm(partial, { force: true });
    throw retryable(new LongreadError('DOWNLOAD_FAILED', `GET ${url} rejected resuming at byte ${have}; restarting the file.`));
  } else {
    await res.body?.cancel();
    const failure = httpFailure(url, res.status, res.statusText, what);
    throw res.status >= 500 || res.status === 429 ? retryable(failure) : failure;
  }

  const handle = await fsp.open(partial, have > 0 ? 'a' : 'w');
  let done = have;
  try {
    job.progress.report(file.name, done, total, true);
    const reader = res.body?.getReader();
    while (reader) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (opts.signal?.aborted) throw cancelled();
        throw retryable(new LongreadError('DOWNLOAD_FAILED', `Connection lost while downloading ${url} after ${done} bytes (${describe(e)}).`, { cause: e }));
      }
      if (chunk.done) break;
      hash.update(chunk.value);
      await writeAll(handle, chunk.value);
      done += chunk.value.byteLength;
      job.progress.report(file.name, done, total, false);
    }
  } finally {
    await handle.close();
  }
  if (total !== null && done < total) {
    throw retryable(new LongreadError('DOWNLOAD_FAILED', `GET ${url} ended after ${done} of ${total} bytes.`));
  }
  return finishFile(job, done, hash);
}

async function finishFile({ file, url, target, partial }: FileJob, size: number, hash: Hash): Promise<number> {
  if (file.size !== null && size !== file.size) {
    await fsp.rm(partial, { force: true });
    throw new LongreadError('DOWNLOAD_FAILED', `${file.name} from ${url} is ${size} bytes, expected ${file.size}; the bad download was deleted.`);
  }
  const actual = hash.digest('hex');
  if (file.sha256 && actual !== file.sha256) {
    await fsp.rm(partial, { force: true });
    throw new LongreadError(
      'CHECKSUM_MISMATCH',
      `${file.name} from ${url} has sha256 ${actual}, expected ${file.sha256}; the bad download was deleted. Run the download again.`,
    );
  }
  await fsp.rename(partial, target);
  return size;
}

async function writeAll(handle: fsp.FileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) {
    written += (await handle.write(bytes, written, bytes.byteLength - written)).bytesWritten;
  }
}

function contentRangeMatch(res: Response): RegExpMatchArray | null {
  return /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
}

function contentRangeStart(res: Response): number | null {
  const m = contentRangeMatch(res);
  return m ? Number(m[1]) : null;
}

function contentRangeTotal(res: Response): number | null {
  const m = contentRangeMatch(res);
  return m && m[3] !== '*' ? Number(m[3]) : null;
}

function contentLength(res: Response): number | null {
  // With a content encoding, Content-Length counts compressed bytes, not the bytes we receive.
  if ((res.headers.get('content-encoding') ?? 'identity') !== 'identity') return null;
  const value = res.headers.get('content-length');
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}
