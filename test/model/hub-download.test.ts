import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../engine/model/checkpoint.js';
import { downloadModel, type DownloadModelOptions, type DownloadProgress, hfHubCacheDir, selectModelFiles } from '../../engine/model/hub-download.js';
import { makeTempDir, removeTempDirs, writeModelFolder } from './fixtures.js';
import { startFakeHub, type FakeHub, type FakeHubFile } from './hub-server.js';

const REPO = 'longread-test/tiny-llama';
const WEIGHTS = 'model.safetensors';

/** The files of a tiny model folder plus files a default download must leave alone. */
async function repoFiles(): Promise<Record<string, FakeHubFile>> {
  const dir = makeTempDir();
  await writeModelFolder(dir, { extraElements: 150_000 }); // ~600 KB of weights: many chunks
  const files: Record<string, FakeHubFile> = {};
  for (const name of fs.readdirSync(dir)) files[name] = { content: fs.readFileSync(path.join(dir, name)), lfs: name.endsWith('.safetensors') };
  files['README.md'] = { content: Buffer.from('# tiny') };
  files['onnx/model.onnx'] = { content: Buffer.from('not needed'), lfs: true };
  return files;
}

let hub: FakeHub;
let dir: string;

beforeEach(async () => {
  hub = await startFakeHub(REPO, await repoFiles());
  dir = makeTempDir('longread-download-');
});
afterEach(() => hub.close());
afterAll(removeTempDirs);

const options = (extra: Partial<DownloadModelOptions> = {}): DownloadModelOptions => ({
  repo: REPO,
  dir,
  endpoint: hub.endpoint,
  retryDelayMs: 0,
  hfCache: null,
  ...extra,
});
const weightRequests = () => hub.requests.filter((r) => r.url.startsWith(`/cdn/${WEIGHTS}`));
const expectSameAsHub = (name: string) => expect(fs.readFileSync(path.join(dir, name)).equals(hub.files[name].content)).toBe(true);

describe('downloadModel', () => {
  it('downloads the model files with progress, sends the token, and skips them the second time', async () => {
    const events: DownloadProgress[] = [];
    const result = await downloadModel(options({ token: 'hf_secret', onProgress: (p) => events.push(p), progressIntervalMs: 60_000 }));

    const expected = ['config.json', 'generation_config.json', WEIGHTS, 'tokenizer.json', 'tokenizer_config.json'];
    expect(result.files).toEqual(expected);
    expect(result.downloaded).toEqual(expected);
    expect(result.reused).toEqual([]);
    expect(fs.readdirSync(dir).sort()).toEqual(expected);
    for (const name of expected) expectSameAsHub(name);
    openCheckpoint(dir).close();

    const listing = hub.requests.find((r) => r.url.startsWith('/api/models/'));
    expect(listing?.url).toContain('blobs=true');
    expect(hub.requests.every((r) => r.authorization === 'Bearer hf_secret')).toBe(true);
    expect(hub.requests.some((r) => r.status === 302)).toBe(true); // resolve URLs redirect, and were followed

    const total = expected.reduce((a, n) => a + hub.files[n].content.length, 0);
    // Throttled to the forced start and end reports of each file.
    expect(events.length).toBe(2 * expected.length);
    expect(events.every((e) => e.overallTotal === total)).toBe(true);
    expect(events.at(-1)).toMatchObject({ file: 'tokenizer_config.json', overallDone: total });
    const weightEnd = events.filter((e) => e.file === WEIGHTS).at(-1);
    expect(weightEnd).toMatchObject({ bytesDone: hub.files[WEIGHTS].content.length, bytesTotal: hub.files[WEIGHTS].content.length });
    for (let i = 1; i < events.length; i++) expect(events[i].overallDone).toBeGreaterThanOrEqual(events[i - 1].overallDone);

    hub.requests.length = 0;
    const again = await downloadModel(options());
    expect(again.skipped).toEqual(expected);
    expect(again.downloaded).toEqual([]);
    expect(hub.requests.filter((r) => r.url.startsWith('/cdn/'))).toEqual([]);
  });

  it('reports progress within a file when not throttled', async () => {
    const events: DownloadProgress[] = [];
    await downloadModel(options({ files: [WEIGHTS], onProgress: (p) => events.push(p), progressIntervalMs: 0 }));
    const size = hub.files[WEIGHTS].content.length;
    const middle = events.filter((e) => e.bytesDone > 0 && e.bytesDone < size);
    expect(middle.length).toBeGreaterThan(0);
  });

  it('replaces a finished file whose content no longer matches its checksum', async () => {
    await downloadModel(options({ files: [WEIGHTS] }));
    const target = path.join(dir, WEIGHTS);
    const bytes = fs.readFileSync(target);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(target, bytes);
    const result = await downloadModel(options({ files: [WEIGHTS] }));
    expect(result.downloaded).toEqual([WEIGHTS]);
    expectSameAsHub(WEIGHTS);
  });

  it('resumes with a Range request after the server cuts the connection', async () => {
    hub.faults.cutAfter = { file: WEIGHTS, bytes: 200_000, times: 1 };
    await expect(downloadModel(options({ retries: 0 }))).rejects.toMatchObject({ code: 'DOWNLOAD_FAILED', message: expect.stringContaining(WEIGHTS) });
    const partial = path.join(dir, `${WEIGHTS}.partial`);
    const partialSize = fs.statSync(partial).size;
    expect(partialSize).toBeGreaterThan(0);
    expect(partialSize).toBeLessThanOrEqual(200_000);
    expect(fs.existsSync(path.join(dir, WEIGHTS))).toBe(false);

    const result = await downloadModel(options());
    expect(result.downloaded).toContain(WEIGHTS);
    expect(weightRequests().at(-1)).toMatchObject({ range: `bytes=${partialSize}-`, status: 206 });
    expectSameAsHub(WEIGHTS);
    expect(fs.existsSync(partial)).toBe(false);
  });

  it('retries a dropped connection by itself, resuming where it stopped', async () => {
    hub.faults.cutAfter = { file: WEIGHTS, bytes: 100_000, times: 2 };
    await downloadModel(options({ files: [WEIGHTS], retries: 2 }));
    const requests = weightRequests();
    expect(requests.length).toBe(3);
    expect(requests[0].range).toBeUndefined();
    expect(requests.slice(1).every((r) => r.range !== undefined && r.status === 206)).toBe(true);
    expectSameAsHub(WEIGHTS);
  });

  it('starts over when the server answers a Range request with the whole file', async () => {
    fs.writeFileSync(path.join(dir, `${WEIGHTS}.partial`), Buffer.alloc(1000, 7)); // not even a real prefix
    hub.faults.ignoreRange = true;
    await downloadModel(options({ files: [WEIGHTS] }));
    expect(weightRequests()).toMatchObject([{ range: 'bytes=1000-', status: 200 }]);
    expectSameAsHub(WEIGHTS);
  });

  it('verifies the partial it resumes: a bad prefix fails the checksum and is deleted', async () => {
    const partial = path.join(dir, `${WEIGHTS}.partial`);
    fs.writeFileSync(partial, Buffer.alloc(1000, 7));
    await expect(downloadModel(options({ files: [WEIGHTS] }))).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect(weightRequests()).toMatchObject([{ range: 'bytes=1000-', status: 206 }]);
    expect(fs.existsSync(partial)).toBe(false);
  });

  it('rejects a download whose sha256 does not match the listing, and deletes it', async () => {
    const wrong = 'ab'.repeat(32);
    hub.faults.wrongSha256 = { [WEIGHTS]: wrong };
    const error = await downloadModel(options()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    const message = (error as Error).message;
    expect(message).toContain(wrong);
    expect(message).toContain(createHash('sha256').update(hub.files[WEIGHTS].content).digest('hex'));
    expect(fs.existsSync(path.join(dir, WEIGHTS))).toBe(false);
    expect(fs.existsSync(path.join(dir, `${WEIGHTS}.partial`))).toBe(false);
  });

  it('reports a 404 with the URL and status', async () => {
    hub.faults.notFound = ['tokenizer.json'];
    const error = await downloadModel(options()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DOWNLOAD_FAILED' });
    expect((error as Error).message).toContain(`${hub.endpoint}/${REPO}/resolve/main/tokenizer.json`);
    expect((error as Error).message).toContain('404');
    const tokenizerRequests = hub.requests.filter((r) => r.url === '/cdn/tokenizer.json');
    expect(tokenizerRequests.length).toBe(1); // a 404 is not retried
  });

  it('reports an unknown repository', async () => {
    const error = await downloadModel(options({ repo: 'nobody/nothing' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DOWNLOAD_FAILED' });
    expect((error as Error).message).toMatch(/api\/models\/nobody\/nothing.*404/);
  });

  it('reports a server that cannot be reached', async () => {
    const endpoint = hub.endpoint;
    await hub.close();
    const error = await downloadModel(options({ endpoint, retries: 0 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DOWNLOAD_FAILED' });
    expect((error as Error).message).toContain(`${endpoint}/api/models/${REPO}`);
  });

  it('can be cancelled, keeping the .partial, and resumed later', async () => {
    hub.faults.stallAfter = { file: WEIGHTS, bytes: 150_000 };
    const controller = new AbortController();
    const attempt = downloadModel(
      options({
        files: [WEIGHTS],
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.bytesDone > 0) controller.abort();
        },
      }),
    );
    await expect(attempt).rejects.toMatchObject({ code: 'CANCELLED' });
    const partialSize = fs.statSync(path.join(dir, `${WEIGHTS}.partial`)).size;
    expect(partialSize).toBeGreaterThan(0);

    hub.faults.stallAfter = undefined;
    await downloadModel(options({ files: [WEIGHTS] }));
    expect(weightRequests().at(-1)).toMatchObject({ range: `bytes=${partialSize}-`, status: 206 });
    expectSameAsHub(WEIGHTS);
  });

  it('refuses file names that would escape the folder', async () => {
    await expect(downloadModel(options({ files: ['../evil.json'] }))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});

/** Serves a different repository from the same fake hub for one test. */
async function withHub(files: Record<string, FakeHubFile>, test: () => Promise<void>): Promise<void> {
  await hub.close();
  hub = await startFakeHub(REPO, files);
  await test();
}

async function folderFiles(options: Parameters<typeof writeModelFolder>[1]): Promise<Record<string, FakeHubFile>> {
  const src = makeTempDir();
  await writeModelFolder(src, options);
  return Object.fromEntries(fs.readdirSync(src).map((name) => [name, { content: fs.readFileSync(path.join(src, name)), lfs: name.endsWith('.safetensors') }]));
}

const cdnRequests = () => hub.requests.filter((r) => r.url.startsWith('/cdn/')).map((r) => decodeURIComponent(r.url.slice('/cdn/'.length)));

describe('which files a model download takes', () => {
  it('takes chat_template.jinja and chat_template.json, which the tokenizer reads before tokenizer_config.json', async () => {
    const files = await folderFiles({});
    files['chat_template.jinja'] = { content: Buffer.from('{% for m in messages %}{{ m.content }}{% endfor %}') };
    files['chat_template.json'] = { content: Buffer.from(JSON.stringify({ chat_template: '{{ messages }}' })) };
    await withHub(files, async () => {
      const result = await downloadModel(options());
      expect(result.downloaded).toContain('chat_template.jinja');
      expect(result.downloaded).toContain('chat_template.json');
      expectSameAsHub('chat_template.jinja');
      expectSameAsHub('chat_template.json');
    });
  });

  it('takes the index and the shards it names, and not consolidated.safetensors or other safetensors', async () => {
    const files = await folderFiles({ sharded: true });
    files['consolidated.safetensors'] = { content: Buffer.alloc(300_000, 1), lfs: true };
    files['model-extra.safetensors'] = { content: Buffer.alloc(1000, 2), lfs: true }; // top level, but not in the index
    await withHub(files, async () => {
      const shards = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
      const expected = ['config.json', 'generation_config.json', ...shards, 'model.safetensors.index.json', 'tokenizer.json', 'tokenizer_config.json'];
      const result = await downloadModel(options());
      expect(result.files).toEqual(expected);
      expect(result.downloaded).toEqual(expected);
      expect(fs.readdirSync(dir).sort()).toEqual(expected);
      expect(cdnRequests().sort()).toEqual(expected);
      openCheckpoint(dir).close();

      hub.requests.length = 0;
      const again = await downloadModel(options());
      expect(again.skipped).toEqual(expected);
      expect(cdnRequests()).toEqual([]);
    });
  });

  it('selectModelFiles: the single-file layout takes model.safetensors only', () => {
    const listing = ['config.json', 'tokenizer.json', 'model.safetensors', 'consolidated.safetensors', 'README.md'].map((name) => ({ name, size: 1, sha256: null }));
    expect(selectModelFiles(listing)).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
  });

  it('refuses a repository without transformers safetensors weights before downloading anything', async () => {
    const files = await folderFiles({});
    files['consolidated.safetensors'] = files[WEIGHTS];
    delete files[WEIGHTS];
    await withHub(files, async () => {
      const error = await downloadModel(options()).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DOWNLOAD_FAILED', message: expect.stringContaining('model.safetensors') });
      expect(cdnRequests()).toEqual([]);
    });
  });
});

describe('hub endpoint and the Hugging Face cache', () => {
  it('uses HF_ENDPOINT when no endpoint is given', async () => {
    const saved = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = hub.endpoint;
    try {
      const result = await downloadModel({ repo: REPO, dir, retryDelayMs: 0, hfCache: null });
      expect(result.downloaded).toContain(WEIGHTS);
      expectSameAsHub(WEIGHTS);
    } finally {
      if (saved === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = saved;
    }
  });

  it('finds the cache where huggingface_hub puts it', () => {
    expect(hfHubCacheDir({ HF_HUB_CACHE: '/a/hub', HF_HOME: '/b' })).toBe('/a/hub');
    expect(hfHubCacheDir({ HF_HOME: '/b', XDG_CACHE_HOME: '/c' })).toBe(path.join('/b', 'hub'));
    expect(hfHubCacheDir({ XDG_CACHE_HOME: '/c' })).toBe(path.join('/c', 'huggingface', 'hub'));
  });

  /** A hub cache as huggingface_hub writes it: blobs, and snapshot entries that are symlinks to them. */
  function hfCacheWith(commit: string, names: string[], contentOf: (name: string) => Buffer = (n) => hub.files[n].content): string {
    const cache = makeTempDir('longread-hf-cache-');
    const repoDir = path.join(cache, `models--${REPO.replace('/', '--')}`);
    const snapshot = path.join(repoDir, 'snapshots', commit);
    fs.mkdirSync(path.join(repoDir, 'blobs'), { recursive: true });
    fs.mkdirSync(snapshot, { recursive: true });
    for (const name of names) {
      const content = contentOf(name);
      const blob = createHash('sha256').update(content).digest('hex');
      fs.writeFileSync(path.join(repoDir, 'blobs', blob), content);
      fs.symlinkSync(path.join('..', '..', 'blobs', blob), path.join(snapshot, name));
    }
    return cache;
  }

  it('reuses the files of the same commit from the Hugging Face cache, verified, without fetching them', async () => {
    const cache = hfCacheWith(hub.commit, [WEIGHTS, 'config.json']);
    const result = await downloadModel(options({ hfCache: cache }));
    expect(result.reused).toEqual(['config.json', WEIGHTS]);
    expect(result.downloaded).toEqual(['generation_config.json', 'tokenizer.json', 'tokenizer_config.json']);
    expect(cdnRequests().sort()).toEqual(result.downloaded);
    expectSameAsHub(WEIGHTS);
    expect(fs.lstatSync(path.join(dir, WEIGHTS)).isFile()).toBe(true); // a regular file (hard link or copy), not a symlink
    openCheckpoint(dir).close();
  });

  it('ignores a cached file that does not match the listing and leaves the cache alone', async () => {
    const corrupt = (name: string) => {
      const bytes = Buffer.from(hub.files[name].content);
      bytes[bytes.length - 1] ^= 0xff; // same size, wrong sha256
      return bytes;
    };
    const cache = hfCacheWith(hub.commit, [WEIGHTS], corrupt);
    const result = await downloadModel(options({ hfCache: cache }));
    expect(result.reused).toEqual([]);
    expect(result.downloaded).toContain(WEIGHTS);
    expectSameAsHub(WEIGHTS);
    expect(fs.readFileSync(path.join(cache, `models--${REPO.replace('/', '--')}`, 'snapshots', hub.commit, WEIGHTS)).equals(corrupt(WEIGHTS))).toBe(true);
  });

  it('does not take files from a snapshot of another commit', async () => {
    const cache = hfCacheWith('0123abcd', [WEIGHTS]);
    const result = await downloadModel(options({ hfCache: cache }));
    expect(result.reused).toEqual([]);
    expect(result.downloaded).toContain(WEIGHTS);
  });
});
