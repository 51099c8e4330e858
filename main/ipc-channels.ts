import type { RequestName } from './ipc-contract.js';

/** Where the contract travels. Free of zod so that the renderer can import these values without bundling schemas. */

/** Electron: one invoke channel per request, one channel for all events. */
export const ipcRequestChannel = (name: RequestName) => `longread:${name}` as const;
export const IPC_EVENT_CHANNEL = 'longread:event';

/** HTTP: `POST /api/<name>` with a JSON body; events as Server-Sent Events from `GET /api/events`. */
export const httpRequestPath = (name: RequestName) => `/api/${name}` as const;
export const HTTP_EVENTS_PATH = '/api/events';
/** The per-launch token: `Authorization: Bearer <token>` on requests, `?token=` on the event stream. */
export const HTTP_TOKEN_QUERY = 'token';
