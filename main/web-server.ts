import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { encodeBinaryFrame, hasTypedArrays } from '../common/binary-frame.js';
import { BINARY_CONTENT_TYPE, HTTP_EVENTS_PATH, HTTP_TOKEN_QUERY, HTTP_UPLOAD_PATH } from '../common/channels.js';
import type { AnyReply, EngineEvent } from '../common/contract.js';
import type { HostBridge } from './host-bridge.js';
import { CONTENT_SECURITY_POLICY } from './security.js';
import type { UploadStore } from './uploads.js';

const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const API_PREFIX = '/api/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface WebServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** The built renderer (renderer/dist). */
  rendererDir: string;
  bridge: HostBridge;
  uploads: UploadStore;
}

export interface WebServer {
  port: number;
  token: string;
  /** Open this in a browser: the token travels in the fragment, which never reaches server logs. */
  url: string;
  close(): Promise<void>;
}

/**
 * The browser host: serves the built renderer and the IPC contract over HTTP on 127.0.0.1 only. API calls need the
 * per-launch token, so other local users' pages and processes can neither drive the engine nor read its output.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = randomBytes(24).toString('base64url');
  const streams = new Set<http.ServerResponse>();
  const broadcast = (event: EngineEvent) => {
    const frame = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of streams) res.write(frame);
  };
  const { bridge, uploads } = options;
  const stopEvents = bridge.onEvent(broadcast);
  const rendererDir = path.resolve(options.rendererDir);
  let port = options.port;

  const server = http.createServer((req, res) => {
    void route(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } });
      else res.end();
    });
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // A page on another origin can resolve its own hostname to 127.0.0.1 (DNS rebinding); only our names are served.
    if (!isLocalHost(req.headers.host, port)) return sendText(res, 421, 'Misdirected request');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    } catch {
      return sendText(res, 400, 'Bad request target');
    }
    if (url.pathname === HTTP_EVENTS_PATH) {
      if (!tokenMatches(url.searchParams.get(HTTP_TOKEN_QUERY), token)) return sendJson(res, 401, unauthorized());
      return openEventStream(req, res, streams);
    }
    if (url.pathname.startsWith(API_PREFIX)) {
      if (!tokenMatches(bearer(req.headers.authorization), token)) return sendJson(res, 401, unauthorized());
      if (req.method !== 'POST') return sendJson(res, 405, failure('METHOD_NOT_ALLOWED', 'Use POST'));
      if (url.pathname === HTTP_UPLOAD_PATH) {
        if (!req.headers['content-type']?.startsWith('application/octet-stream')) return sendJson(res, 415, failure('INVALID_REQUEST', 'Send the file as application/octet-stream'));
        const name = url.searchParams.get('name');
        if (!name) return sendJson(res, 400, failure('INVALID_REQUEST', 'Name the file: ?name=FILE'));
        const result = await uploads.receive(req, name);
        return result.ok ? sendJson(res, 200, { ok: true, value: { uploadId: result.uploadId } }) : sendJson(res, result.status, failure(result.code, result.message));
      }
      if (!req.headers['content-type']?.startsWith('application/json')) return sendJson(res, 415, failure('INVALID_REQUEST', 'Send JSON'));
      const body = await readBody(req);
      if (body === null) return sendJson(res, 413, failure('INVALID_REQUEST', 'The request is too large'));
      let payload: unknown;
      try {
        payload = body.length ? JSON.parse(body) : {};
      } catch {
        return sendJson(res, 400, failure('INVALID_REQUEST', 'The request body is not valid JSON'));
      }
      // A client that goes away stops what it started (a generation would otherwise stream on and block the next).
      const operationId = typeof payload === 'object' && payload !== null ? Reflect.get(payload, 'operationId') : undefined;
      let answered = false;
      if (typeof operationId === 'string') {
        res.on('close', () => {
          if (!answered) void bridge.handle('cancel', { operationId });
        });
      }
      const reply = await bridge.handle(url.pathname.slice(API_PREFIX.length), payload);
      answered = true;
      const status = reply.ok ? 200 : reply.error.code === 'INVALID_REQUEST' ? 400 : reply.error.code === 'UNKNOWN_REQUEST' ? 404 : 200;
      return sendReply(res, status, reply);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    return serveStatic(res, rendererDir, url.pathname);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://${HOST}:${port}/#${HTTP_TOKEN_QUERY}=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        stopEvents();
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function openEventStream(req: http.IncomingMessage, res: http.ServerResponse, streams: Set<http.ServerResponse>): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  res.write(': connected\n\n');
  streams.add(res);
  // Keeps proxies and the browser from timing the stream out during a long model load.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => {
    clearInterval(keepAlive);
    streams.delete(res);
  });
}

function serveStatic(res: http.ServerResponse, root: string, pathname: string): void {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    return sendText(res, 400, 'Bad path');
  }
  if (relative.endsWith('/')) relative += 'index.html';
  const file = path.resolve(root, '.' + relative);
  if (!file.startsWith(root + path.sep) || relative.includes('\0')) return sendText(res, 404, 'Not found');
  fs.readFile(file, (err, data) => {
    if (err) return sendText(res, 404, 'Not found');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
    });
    res.end(data);
  });
}

function isLocalHost(host: string | undefined, port: number): boolean {
  return host === `${HOST}:${port}` || host === `localhost:${port}`;
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer (\S+)$/.exec(header ?? '');
  return match ? match[1] : null;
}

function tokenMatches(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is drained and dropped, so the 413 reply can still be sent.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const failure = (code: string, message: string) => ({ ok: false, error: { code, message } });
const unauthorized = () => failure('UNAUTHORIZED', 'Missing or wrong API token; open the URL printed by the server');

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Replies holding typed arrays (retention maps) travel as a binary frame, the rest as JSON. */
function sendReply(res: http.ServerResponse, status: number, reply: AnyReply): void {
  if (!reply.ok || !hasTypedArrays(reply.value)) return sendJson(res, status, reply);
  const body = encodeBinaryFrame(reply);
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': BINARY_CONTENT_TYPE, 'Cache-Control': 'no-store', 'Content-Length': body.byteLength });
  res.end(body);
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
