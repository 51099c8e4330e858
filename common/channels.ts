import type { RequestName } from './contract.js';

/** Where the contract travels. Free of zod so that the renderer can import these values without bundling schemas. */

/** Electron: one invoke channel per request, one channel for all events. */
export const ipcRequestChannel = (name: RequestName) => `longread:${name}` as const;
export const IPC_EVENT_CHANNEL = 'longread:event';

/** HTTP: `POST /api/<name>` with a JSON body; events as Server-Sent Events from `GET /api/events`. */
export const httpRequestPath = (name: RequestName) => `/api/${name}` as const;
export const HTTP_EVENTS_PATH = '/api/events';
/** `POST /api/upload?name=FILE` with the file as the raw body (application/octet-stream) → `{ uploadId }`. */
export const HTTP_UPLOAD_PATH = '/api/upload';
/** The per-launch token: `Authorization: Bearer <token>` on requests, `?token=` on the event stream. */
export const HTTP_TOKEN_QUERY = 'token';
/** Replies that carry typed arrays come as this content type, encoded by `binary-frame.ts`. */
export const BINARY_CONTENT_TYPE = 'application/vnd.longread.frame';
