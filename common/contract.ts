import { z } from 'zod';

/**
 * The one contract for everything that crosses a process boundary: UI ↔ host (Electron IPC or HTTP), host ↔ engine
 * process, and the CLI's use of the engine. Every request, reply and event has a schema here; whoever receives a
 * payload validates it before acting on it. The renderer imports this file for types only (it never bundles zod).
 */

export * from './schemas.js';
import {
  DEFAULT_METHOD,
  DEFAULT_RATIO,
  DEVICES,
  METHODS,
  WEIGHTS,
  answerSchema,
  boundedText,
  cacheStatsSchema,
  catalogEntrySchema,
  chatTurnSchema,
  conversationSchema,
  conversationTurnSchema,
  count,
  documentInfoSchema,
  documentPartSchema,
  engineStatusSchema,
  generationSchema,
  idSchema,
  libraryEntrySchema,
  methodSchema,
  modelInfoSchema,
  providerAttemptSchema,
  ratioSchema,
  retentionRequestSchema,
  retentionSchema,
  settingsSchema,
  sourceSchema,
  viewInfoSchema,
} from './schemas.js';


// ---------------------------------------------------------------------------------------------------------------
// Requests. Long-running operations carry an `operationId` chosen by the caller: their progress and tokens arrive as
// events with that id, and `cancel` stops them.

const operation = { operationId: idSchema };

/** A file the engine reads by path (Electron main and the web host turn drops and uploads into paths). */
export const documentSourceSchema = z.union([
  z.strictObject({ path: boundedText(4096).min(1) }),
  /** The web host's uploads (`POST /api/upload`), resolved to a path by the host. */
  z.strictObject({ uploadId: idSchema }),
]);

export const documentRangeSchema = z
  .strictObject({
    /** Character range of the extracted text. */
    start: count.optional(),
    end: count.optional(),
    /** Or pages (1-based, inclusive) of a PDF. */
    firstPage: z.number().int().min(1).optional(),
    lastPage: z.number().int().min(1).optional(),
  })
  .refine((r) => (r.start === undefined || r.end === undefined || r.start < r.end) && (r.firstPage === undefined || r.lastPage === undefined || r.firstPage <= r.lastPage), 'the range is empty');

export const requestSchemas = {
  /** What this host can do and what it was started with (answered by the host itself). */
  hostInfo: z.strictObject({}),
  /** The host's own pickers (Electron only). */
  openModelFolderDialog: z.strictObject({}),
  openDocumentDialog: z.strictObject({}),

  loadModel: z.strictObject({
    ...operation,
    /** Absent: the embedded demo model. */
    modelDir: boundedText(4096).min(1).optional(),
    device: z.enum(DEVICES).default('auto'),
    weights: z.enum(WEIGHTS).default('q4'),
  }),
  catalog: z.strictObject({}),
  downloadModel: z.strictObject({ ...operation, repo: z.string().regex(/^[A-Za-z0-9_.-]{1,96}\/[A-Za-z0-9_.-]{1,96}$/, 'must be OWNER/NAME') }),

  openDocument: z.strictObject({ ...operation, source: documentSourceSchema, name: boundedText(512).min(1).optional(), range: documentRangeSchema.optional() }),
  readDocument: z.strictObject({
    ...operation,
    documentId: idSchema,
    method: methodSchema.default(DEFAULT_METHOD),
    ratio: ratioSchema.default(DEFAULT_RATIO),
    kvBudgetBytes: z.number().int().min(16 * 2 ** 20).max(2 ** 40).optional(),
  }),
  setRatio: z.strictObject({ ...operation, documentId: idSchema, ratio: ratioSchema, method: methodSchema.default(DEFAULT_METHOD) }),
  /** Fidelity estimate at several ratios (for the plot), from a sample of the prepared blocks. */
  fidelityCurve: z.strictObject({ ...operation, documentId: idSchema, method: methodSchema.default(DEFAULT_METHOD), ratios: z.array(ratioSchema).min(1).max(16) }),
  retention: retentionRequestSchema,
  /** The extracted text (what the visualizer and the sources show). */
  documentText: z.strictObject({ documentId: idSchema }),
  closeDocument: z.strictObject({ documentId: idSchema }),

  ask: z.strictObject({
    ...operation,
    documentId: idSchema,
    /** Continue this conversation; absent: a new one. */
    conversationId: idSchema.optional(),
    question: boundedText(100_000).min(1),
    generation: generationSchema.default({ maxTokens: 512 }),
  }),
  summarize: z.strictObject({ ...operation, documentId: idSchema, conversationId: idSchema.optional(), generation: generationSchema.default({ maxTokens: 512 }) }),
  /** A plain chat or raw prompt, without a document. */
  generate: z
    .strictObject({
      ...operation,
      messages: z.array(chatTurnSchema).min(1).max(10_000).optional(),
      prompt: boundedText(1_000_000).min(1).optional(),
      generation: generationSchema.default({ maxTokens: 512 }),
    })
    .refine((r) => (r.messages === undefined) !== (r.prompt === undefined), 'send exactly one of messages or prompt'),
  cancel: z.strictObject({ operationId: idSchema }),
  /** Forgets the plain chat's cache. */
  reset: z.strictObject({}),
  status: z.strictObject({}),

  libraryList: z.strictObject({}),
  /** Opens a read document from the library: no prefill with the same model. */
  libraryOpen: z.strictObject({ ...operation, libraryId: idSchema }),
  libraryDelete: z.strictObject({ libraryId: idSchema }),
  conversations: z.strictObject({ libraryId: idSchema }),
  conversation: z.strictObject({ libraryId: idSchema, conversationId: idSchema }),
  getSettings: z.strictObject({}),
  putSettings: settingsSchema.partial().strict(),
} as const;

export type RequestName = keyof typeof requestSchemas;
export const REQUEST_NAMES = Object.keys(requestSchemas) as RequestName[];
/** Requests the host answers itself; the rest go to the engine. */
export const HOST_REQUESTS = ['hostInfo', 'openModelFolderDialog', 'openDocumentDialog'] as const satisfies readonly RequestName[];
export type HostRequestName = (typeof HOST_REQUESTS)[number];
export type EngineRequestName = Exclude<RequestName, HostRequestName>;
/** What a caller sends (defaults may be left out). */
export type RequestPayload<N extends RequestName> = z.input<(typeof requestSchemas)[N]>;
/** What the receiver acts on, after validation. */
export type ValidRequest<N extends RequestName> = z.output<(typeof requestSchemas)[N]>;

// ---------------------------------------------------------------------------------------------------------------
// Replies

export const hostInfoSchema = z.strictObject({
  transport: z.enum(['electron', 'http', 'cli']),
  canOpenDialogs: z.boolean(),
  /** A model folder the host was started with (e.g. `serve --model DIR`); null: the demo model. */
  defaultModelDir: z.string().nullable(),
  /** Largest upload the host takes, in bytes. */
  maxUploadBytes: count,
  version: z.string(),
});

export const replyValueSchemas = {
  hostInfo: hostInfoSchema,
  openModelFolderDialog: z.strictObject({ path: z.string().nullable() }),
  openDocumentDialog: z.strictObject({ path: z.string().nullable() }),
  loadModel: modelInfoSchema,
  catalog: z.array(catalogEntrySchema),
  downloadModel: z.strictObject({ modelDir: z.string() }),
  openDocument: documentInfoSchema,
  readDocument: viewInfoSchema,
  setRatio: viewInfoSchema,
  fidelityCurve: z.array(z.strictObject({ ratio: z.number(), outputError: z.number(), agreement: z.number() })),
  retention: retentionSchema,
  documentText: z.strictObject({ documentId: idSchema, text: z.string(), parts: z.array(documentPartSchema) }),
  closeDocument: z.null(),
  ask: answerSchema,
  summarize: answerSchema,
  generate: answerSchema,
  cancel: z.strictObject({ cancelled: z.boolean() }),
  reset: z.null(),
  status: engineStatusSchema,
  libraryList: z.array(libraryEntrySchema),
  libraryOpen: z.strictObject({ document: documentInfoSchema, view: viewInfoSchema, conversations: z.array(conversationSchema) }),
  libraryDelete: z.strictObject({ freedBytes: count }),
  conversations: z.array(conversationSchema),
  conversation: conversationSchema,
  getSettings: settingsSchema,
  putSettings: settingsSchema,
} as const satisfies Record<RequestName, z.ZodType>;

export type ReplyValue<N extends RequestName> = z.output<(typeof replyValueSchemas)[N]>;

/**
 * `code` is the engine's error code where the engine failed, or one of the host's own: INVALID_REQUEST (the payload
 * broke the contract), UNKNOWN_REQUEST, UNSUPPORTED, BUSY, HOST_UNREACHABLE.
 */
export const replyErrorSchema = z.strictObject({ code: z.string(), message: z.string() });
export type ReplyError = z.output<typeof replyErrorSchema>;
/** Failures travel as data, never as thrown errors, so the caller always gets the code and the message. */
export type Reply<N extends RequestName> = { ok: true; value: ReplyValue<N> } | { ok: false; error: ReplyError };
export type AnyReply = { ok: true; value: unknown } | { ok: false; error: ReplyError };

// ---------------------------------------------------------------------------------------------------------------
// Events (pushed, unprompted)

export const PROGRESS_STAGES = ['convert', 'load', 'parse', 'tokenize', 'read', 'reference-queries', 'compact', 'recompact', 'prefill', 'download', 'save', 'open'] as const;

export const engineEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('progress'),
    operationId: idSchema,
    stage: z.enum(PROGRESS_STAGES),
    done: z.number(),
    total: z.number(),
    unit: z.enum(['tokens', 'layers', 'bytes', 'pages', 'blocks']),
    /** Units per second so far in this stage, and the time left at that rate. */
    rate: z.number().nullable(),
    etaMs: z.number().nullable(),
  }),
  z.strictObject({
    type: z.literal('token'),
    operationId: idSchema,
    text: z.string(),
    /** On the token that ends a sentence: the passages that sentence drew on. */
    sources: z.array(sourceSchema).optional(),
  }),
  z.strictObject({ type: z.literal('status'), status: engineStatusSchema }),
  /** The engine process died; it was restarted (the model is reloaded when it can be). */
  z.strictObject({ type: z.literal('crash'), message: z.string() }),
  z.strictObject({ type: z.literal('engineRestarted'), modelReloaded: z.boolean() }),
  /** Chosen through the host's own menu. */
  z.strictObject({ type: z.literal('modelFolderChosen'), path: z.string() }),
  z.strictObject({ type: z.literal('documentChosen'), path: z.string() }),
]);

export type EngineEvent = z.output<typeof engineEventSchema>;
export type EngineEventType = EngineEvent['type'];
export type ProgressEvent = Extract<EngineEvent, { type: 'progress' }>;
export type TokenEvent = Extract<EngineEvent, { type: 'token' }>;

// ---------------------------------------------------------------------------------------------------------------
// Named types

export type HostInfo = ReplyValue<'hostInfo'>;
export type ModelInfo = z.output<typeof modelInfoSchema>;
export type ProviderAttempt = z.output<typeof providerAttemptSchema>;
export type DocumentInfo = z.output<typeof documentInfoSchema>;
export type DocumentPart = z.output<typeof documentPartSchema>;
export type ViewInfo = z.output<typeof viewInfoSchema>;
export type CacheStats = z.output<typeof cacheStatsSchema>;
export type Retention = z.output<typeof retentionSchema>;
export type Answer = z.output<typeof answerSchema>;
export type Source = z.output<typeof sourceSchema>;
export type Conversation = z.output<typeof conversationSchema>;
export type ConversationTurn = z.output<typeof conversationTurnSchema>;
export type LibraryEntry = z.output<typeof libraryEntrySchema>;
export type Settings = z.output<typeof settingsSchema>;
export type CatalogEntry = z.output<typeof catalogEntrySchema>;
export type EngineStatus = z.output<typeof engineStatusSchema>;
export type ChatTurn = z.output<typeof chatTurnSchema>;
export type Generation = z.output<typeof generationSchema>;
export type Device = (typeof DEVICES)[number];
export type Weights = (typeof WEIGHTS)[number];
export type Method = (typeof METHODS)[number];
export type StopReason = Answer['stopReason'];

/** What the Electron preload exposes as `window.longread`. */
export interface LongreadBridge {
  request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Reply<N>>;
  /** Returns a function that stops listening. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** Electron only: the path of a dropped file (the page itself never reads files). */
  pathForFile?(file: File): string;
}

// ---------------------------------------------------------------------------------------------------------------
// Host ↔ engine process envelope: requests and their replies matched by a number, events pushed. The payloads are
// validated by the schemas above on each side.

export const engineEnvelopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('request'), id: z.number().int(), name: z.string(), payload: z.unknown() }),
  z.strictObject({ kind: z.literal('reply'), id: z.number().int(), reply: z.union([z.strictObject({ ok: z.literal(true), value: z.unknown() }), z.strictObject({ ok: z.literal(false), error: replyErrorSchema })]) }),
  z.strictObject({ kind: z.literal('event'), event: z.unknown() }),
  /** The engine process is up and listening. */
  z.strictObject({ kind: z.literal('ready') }),
]);
export type EngineEnvelope = z.output<typeof engineEnvelopeSchema>;

/** A zod failure as one line a person can read. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}
