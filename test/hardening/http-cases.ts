import { randomBytes } from 'node:crypto';
import { pick, type Random } from '../robustness/mutate.js';
import { adversarialPayload, hostileString, requestName } from './adversarial.js';
import type { HttpCase } from './http-client.js';

/** Adversarial HTTP requests for the web host (main/web-server.ts): seeded, so a failing case can be replayed. */

export interface HostFacts {
  port: number;
  token: string;
  maxUploadBytes: number;
  /** The JSON body limit of the web server. */
  maxBodyBytes: number;
  /** A file beside the renderer folder, which no path may reach. */
  besideRenderer: string;
}

function authorization(r: Random, token: string): Record<string, string> {
  if (r() < 0.6) return { Authorization: `Bearer ${token}` };
  return pick(r, [
    () => ({}),
    () => ({ Authorization: '' }),
    () => ({ Authorization: `bearer ${token}` }),
    () => ({ Authorization: `Bearer ${token}x` }),
    () => ({ Authorization: `Bearer ${token.slice(0, -1)}` }),
    () => ({ Authorization: `Bearer ${token.replace(/./, (c) => (c === 'A' ? 'B' : 'A'))}` }),
    () => ({ Authorization: `Basic ${Buffer.from(`user:${token}`).toString('base64')}` }),
    () => ({ Authorization: `Bearer ${'A'.repeat(8000)}` }),
    () => ({ Authorization: `Bearer  ${token}` }),
  ])();
}

function jsonContentType(r: Random): Record<string, string> {
  if (r() < 0.7) return { 'Content-Type': 'application/json' };
  return pick<Record<string, string>>(r, [
    { 'Content-Type': 'application/json; charset=utf-8' },
    { 'Content-Type': 'application/json; charset=utf-16' },
    { 'Content-Type': 'APPLICATION/JSON' },
    { 'Content-Type': 'text/plain' },
    { 'Content-Type': 'multipart/form-data; boundary=x' },
    { 'Content-Type': 'application/x-www-form-urlencoded' },
    {},
  ]);
}

function host(r: Random, port: number): Record<string, string> {
  return r() < 0.95 ? {} : pick(r, [{ Host: `evil.example:${port}` }, { Host: '127.0.0.1' }, { Host: `localhost:${port + 1}` }, { Host: `127.0.0.1:${port}@evil` }]);
}

/** A JSON-ish body: mostly adversarial payloads as JSON, sometimes broken, binary, deeply nested or too large. */
function jsonBody(r: Random, name: string, maxBodyBytes: number): Buffer {
  return pick(r, [
    () => Buffer.from(safeStringify(adversarialPayload(r, name))),
    () => Buffer.from(safeStringify(adversarialPayload(r, name))),
    () => Buffer.from(safeStringify(adversarialPayload(r, name))),
    () => Buffer.from(safeStringify(adversarialPayload(r, name))),
    () => Buffer.alloc(0),
    () => Buffer.from('{"operationId":'),
    () => Buffer.from('null'),
    () => Buffer.from('[1,2,3]'),
    () => Buffer.from('"just a string"'),
    () => Buffer.from('\uFEFF{}'),
    () => Buffer.from('{} trailing'),
    () => Buffer.from('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'),
    () => randomBytes(1 + Math.floor(r() * 4096)),
    () => Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe, 0x7b, 0x7d]),
    () => Buffer.from('['.repeat(200_000) + ']'.repeat(200_000)),
    () => (r() < 0.1 ? Buffer.alloc(maxBodyBytes + 1 + Math.floor(r() * 1024), 0x20) : Buffer.from('{}')),
  ])();
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '['.repeat(10_000) + ']'.repeat(10_000);
  }
}

/** Percent-encoded; lone surrogates (which encodeURIComponent refuses) become U+FFFD first. */
function encodePart(text: string): string {
  return encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}

function uploadPath(r: Random): string {
  return pick(r, [
    () => `/api/upload?name=${encodePart(hostileString(r).slice(0, 2000))}`,
    () => `/api/upload?name=${pick(r, ['notes.txt', 'report.pdf', 'a.docx'])}`,
    () => '/api/upload',
    () => '/api/upload?name=',
    () => '/api/upload?name=%00.txt',
    () => '/api/upload?name=..%2F..%2F..%2Fetc%2Fpasswd',
    () => '/api/upload?name=CON',
    () => '/api/upload?name=a&name=b',
  ])();
}

function staticPath(r: Random, besideRenderer: string): string {
  if (r() < 0.2) return pick(r, [`/../${besideRenderer}`, `/%2e%2e/${besideRenderer}`, `/..%2f${besideRenderer}`, `/assets/../../${besideRenderer}`, `/..\\${besideRenderer}`]);
  return pick(r, ['/', '/index.html', '/assets/app.js', '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fsecret', '/%00', '/assets/%E0%A4%A', '/assets/', '/nope.js', `/${'a'.repeat(4000)}`, '/\\..\\..\\windows\\win.ini', '/index.html%00.js']);
}

export function httpCase(r: Random, facts: HostFacts): HttpCase {
  const kind = r();
  if (kind < 0.6) {
    const name = requestName(r);
    return {
      method: r() < 0.9 ? 'POST' : pick(r, ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']),
      path: r() < 0.95 ? `/api/${encodePart(name)}` : pick(r, ['/api/', '/api', '/api//status', '/api/status?x=1', '/api/status/', '/API/status']),
      headers: { ...jsonContentType(r), ...authorization(r, facts.token), ...host(r, facts.port) },
      body: jsonBody(r, name, facts.maxBodyBytes),
    };
  }
  if (kind < 0.8) {
    const size = pick(r, [0, 1, 100, 4096, facts.maxUploadBytes, facts.maxUploadBytes + 1, facts.maxUploadBytes * 3]);
    const body = randomBytes(size);
    const headers = { 'Content-Type': pick(r, ['application/octet-stream', 'application/octet-stream', 'application/json', 'text/plain']), ...authorization(r, facts.token), ...host(r, facts.port) };
    if (r() < 0.15) return { method: 'POST', path: uploadPath(r), headers: { ...headers, 'Content-Length': String(size + 10_000) }, body, cutAfterBytes: Math.floor(size / 2) };
    return { method: 'POST', path: uploadPath(r), headers, body };
  }
  if (kind < 0.87) {
    return { method: 'GET', path: pick(r, ['/api/events', `/api/events?token=${facts.token}x`, '/api/events?token=', `/api/events?token=${'A'.repeat(32)}`, `/api/events?token=${facts.token.slice(1)}`]), headers: host(r, facts.port) };
  }
  return { method: pick(r, ['GET', 'GET', 'GET', 'HEAD', 'PUT', 'DELETE', 'TRACE']), path: staticPath(r, facts.besideRenderer), headers: host(r, facts.port) };
}

/** Bytes no well-behaved client sends: broken request lines, bad targets, oversized or injected headers. */
export function rawCase(r: Random, facts: HostFacts): Buffer {
  const h = `127.0.0.1:${facts.port}`;
  return Buffer.from(
    pick(r, [
      () => 'GARBAGE\r\n\r\n',
      () => `GET http://[ HTTP/1.1\r\nHost: ${h}\r\n\r\n`,
      () => `POST http://evil.example/api/status HTTP/1.1\r\nHost: ${h}\r\nAuthorization: Bearer ${facts.token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
      () => `GET * HTTP/1.1\r\nHost: ${h}\r\n\r\n`,
      () => `GET / HTTP/1.1\r\n\r\n`,
      () => `GET / HTTP/1.1\r\nHost: ${h}\r\nX-Injected: a\rb\r\n\r\n`,
      () => `GET / HTTP/1.1\r\nHost: ${h}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      () => `POST /api/status HTTP/1.1\r\nHost: ${h}\r\nAuthorization: Bearer ${facts.token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      () => `POST /api/status HTTP/1.1\r\nHost: ${h}\r\nAuthorization: Bearer ${facts.token}\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}`,
      () => `POST /api/status HTTP/1.1\r\nHost: ${h}\r\nAuthorization: Bearer ${facts.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`,
      () => `GET /\u0000 HTTP/1.1\r\nHost: ${h}\r\n\r\n`,
      () => `GET / HTTP/9.9\r\nHost: ${h}\r\n\r\n`,
      () => randomBytes(1 + Math.floor(r() * 2000)).toString('latin1'),
    ])(),
    'latin1',
  );
}
