import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Hugging Face hub on 127.0.0.1: the model listing API, `resolve` URLs that redirect to a
 * "CDN" path, and file serving with Range support. Faults are switched on per test.
 */
export interface FakeHubFile {
  content: Buffer;
  /** Listed with an LFS sha256, as the hub does for weights. */
  lfs?: boolean;
}

export interface FakeHubFaults {
  /** Send this many bytes of the file, then close the connection; for the first `times` requests of it. */
  cutAfter?: { file: string; bytes: number; times: number };
  /** Send this many bytes of the file, then hang until the client goes away. */
  stallAfter?: { file: string; bytes: number };
  /** Answer Range requests with the whole file and status 200. */
  ignoreRange?: boolean;
  /** Files that the listing shows but that answer 404. */
  notFound?: string[];
  /** sha256 the listing claims, overriding the real one. */
  wrongSha256?: Record<string, string>;
}

export interface LoggedRequest {
  url: string;
  range: string | undefined;
  authorization: string | undefined;
  status: number;
}

export interface FakeHub {
  endpoint: string;
  repo: string;
  /** The commit the listing reports for the revision. */
  readonly commit: string;
  files: Record<string, FakeHubFile>;
  faults: FakeHubFaults;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

export async function startFakeHub(repo: string, files: Record<string, FakeHubFile>): Promise<FakeHub> {
  const faults: FakeHubFaults = {};
  const requests: LoggedRequest[] = [];
  const commit = 'abc123';
  const served = new Map<string, number>();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const log: LoggedRequest = { url: req.url ?? '', range: req.headers.range, authorization: req.headers.authorization, status: 0 };
    requests.push(log);
    const reply = (status: number, headers: http.OutgoingHttpHeaders, body?: Buffer | string) => {
      log.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };

    if (url.pathname === `/api/models/${repo}/revision/main`) {
      const siblings = [
        ...Object.entries(files).map(([name, f]) => ({
          rfilename: name,
          size: f.content.length,
          ...(f.lfs
            ? { lfs: { sha256: faults.wrongSha256?.[name] ?? createHash('sha256').update(f.content).digest('hex'), size: f.content.length } }
            : {}),
        })),
      ];
      return reply(200, { 'content-type': 'application/json' }, JSON.stringify({ id: repo, sha: commit, siblings }));
    }
    const resolvePrefix = `/${repo}/resolve/main/`;
    if (url.pathname.startsWith(resolvePrefix)) {
      return reply(302, { location: `/cdn/${url.pathname.slice(resolvePrefix.length)}` });
    }
    if (!url.pathname.startsWith('/cdn/')) return reply(404, {}, 'Not found');
    const name = decodeURIComponent(url.pathname.slice('/cdn/'.length));
    const file = files[name];
    if (!file || faults.notFound?.includes(name)) return reply(404, { 'content-type': 'text/plain' }, 'Entry not found');

    const count = (served.get(name) ?? 0) + 1;
    served.set(name, count);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (range && !faults.ignoreRange) {
      start = Number(range[1]);
      if (start >= file.content.length) return reply(416, { 'content-range': `bytes */${file.content.length}` });
      log.status = 206;
      res.writeHead(206, {
        'content-length': file.content.length - start,
        'content-range': `bytes ${start}-${file.content.length - 1}/${file.content.length}`,
        'accept-ranges': 'bytes',
      });
    } else {
      log.status = 200;
      res.writeHead(200, { 'content-length': file.content.length, 'accept-ranges': 'bytes' });
    }
    const body = file.content.subarray(start);
    const cut = faults.cutAfter;
    if (cut && cut.file === name && count <= cut.times) {
      res.write(body.subarray(0, cut.bytes), () => res.socket?.end());
      return;
    }
    const stall = faults.stallAfter;
    if (stall && stall.file === name) {
      res.write(body.subarray(0, stall.bytes));
      return; // never ends: the client has to give up
    }
    res.end(body);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    repo,
    commit,
    files,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
