import { z } from 'zod';

/**
 * The one contract between the UI and its host (Electron main process or the localhost web server). Every payload
 * crossing it, in either direction, has a schema here; hosts validate what comes in before acting on it.
 * The renderer imports this file for types only, so it never bundles zod nor knows how the host is built.
 */

export const DEVICES = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'] as const;
export const WEIGHTS = ['q4', 'fp16', 'fp32'] as const;

const boundedText = (max: number) => z.string().max(max).refine((s) => !s.includes('\0'), 'must not contain NUL characters');

// ---- requests (UI → host) ----

export const loadRequestSchema = z.strictObject({
  modelDir: boundedText(4096).min(1, 'choose a model folder'),
  device: z.enum(DEVICES).default('auto'),
  weights: z.enum(WEIGHTS).default('q4'),
});

export const chatTurnSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: boundedText(4_000_000),
});

export const samplingSchema = z.strictObject({
  temperature: z.number().min(0).max(5).optional(),
  topK: z.number().int().min(0).max(100_000).optional(),
  topP: z.number().gt(0).max(1).optional(),
  repetitionPenalty: z.number().min(0.1).max(10).optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
});

/** Chosen by the UI so that it can tell which generation a streamed token belongs to. */
export const generationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -');

export const generateRequestSchema = z
  .strictObject({
    generationId: generationIdSchema,
    /** A conversation, rendered with the model's chat template. */
    messages: z.array(chatTurnSchema).min(1).max(10_000).optional(),
    /** Raw text continued as is: the way to talk to a base model. */
    prompt: boundedText(4_000_000).min(1).optional(),
    maxTokens: z.number().int().min(1).max(32_768),
    sampling: samplingSchema.optional(),
    stopStrings: z.array(boundedText(200).min(1)).max(16).optional(),
  })
  .refine((r) => (r.messages === undefined) !== (r.prompt === undefined), 'send exactly one of messages or prompt');

export const cancelRequestSchema = z.strictObject({ generationId: generationIdSchema });
export const emptyRequestSchema = z.strictObject({});

export const requestSchemas = {
  /** What this host can do and what it was started with. */
  hostInfo: emptyRequestSchema,
  load: loadRequestSchema,
  generate: generateRequestSchema,
  cancel: cancelRequestSchema,
  status: emptyRequestSchema,
  reset: emptyRequestSchema,
  /** Shows the host's folder picker (Electron only). */
  openModelFolder: emptyRequestSchema,
} as const;

export type RequestName = keyof typeof requestSchemas;
export const REQUEST_NAMES = Object.keys(requestSchemas) as RequestName[];
/** What the UI sends (defaults may be left out). */
export type RequestPayload<N extends RequestName> = z.input<(typeof requestSchemas)[N]>;
/** What the host acts on, after validation. */
export type ValidRequest<N extends RequestName> = z.output<(typeof requestSchemas)[N]>;

// ---- replies (host → UI) ----

export const hostInfoSchema = z.strictObject({
  transport: z.enum(['electron', 'http']),
  canOpenFolder: z.boolean(),
  /** A model folder the host was started with (e.g. `serve --model DIR`), to prefill the UI. */
  defaultModelDir: z.string().nullable(),
});

export const providerAttemptSchema = z.strictObject({
  provider: z.enum(DEVICES).exclude(['auto']),
  used: z.boolean(),
  reason: z.string().optional(),
});

export const modelInfoSchema = z.strictObject({
  dir: z.string(),
  architecture: z.string(),
  family: z.string(),
  numLayers: z.number(),
  numHeads: z.number(),
  numKvHeads: z.number(),
  headDim: z.number(),
  vocabSize: z.number(),
  maxPositions: z.number(),
  kvBytesPerToken: z.number(),
  weights: z.enum(WEIGHTS),
  executionProvider: z.string(),
  providerAttempts: z.array(providerAttemptSchema),
  hasChatTemplate: z.boolean(),
  convertedNow: z.boolean(),
});

export const stopReasonSchema = z.enum(['stop-token', 'stop-string', 'max-tokens', 'context-full', 'cancelled']);

export const generateResultSchema = z.strictObject({
  text: z.string(),
  tokens: z.number(),
  stopReason: stopReasonSchema,
  promptTokens: z.number(),
  prefilledTokens: z.number(),
  prefillMs: z.number(),
  decodeMs: z.number(),
  executionProvider: z.string(),
});

export const cacheStatusSchema = z.strictObject({
  logicalLength: z.number(),
  slots: z.number(),
  usedBytes: z.number(),
  allocatedBytes: z.number(),
});

export const replyValueSchemas = {
  hostInfo: hostInfoSchema,
  load: modelInfoSchema,
  generate: generateResultSchema,
  cancel: z.strictObject({ cancelled: z.boolean() }),
  status: cacheStatusSchema.nullable(),
  reset: z.null(),
  openModelFolder: z.strictObject({ path: z.string().nullable() }),
} as const satisfies Record<RequestName, z.ZodType>;

export type ReplyValue<N extends RequestName> = z.output<(typeof replyValueSchemas)[N]>;
export type HostInfo = ReplyValue<'hostInfo'>;
export type ModelInfo = ReplyValue<'load'>;
export type ProviderAttempt = z.output<typeof providerAttemptSchema>;
export type GenerateResult = ReplyValue<'generate'>;
export type CacheStatus = z.output<typeof cacheStatusSchema>;
export type ChatTurn = z.output<typeof chatTurnSchema>;
export type Device = (typeof DEVICES)[number];
export type Weights = (typeof WEIGHTS)[number];

/**
 * `code` is the engine's error code where the engine failed, or one of the host's own:
 * INVALID_REQUEST (the payload broke the contract), BUSY, UNSUPPORTED, UNKNOWN_REQUEST.
 */
export const replyErrorSchema = z.strictObject({ code: z.string(), message: z.string() });
export type ReplyError = z.output<typeof replyErrorSchema>;

/** Failures travel as data, never as thrown IPC errors, so the UI always gets the code and the message. */
export type Reply<N extends RequestName> = { ok: true; value: ReplyValue<N> } | { ok: false; error: ReplyError };
export type AnyReply = { ok: true; value: unknown } | { ok: false; error: ReplyError };

// ---- events (host → UI, unprompted) ----

export const engineEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('progress'), stage: z.string(), done: z.number(), total: z.number() }),
  z.strictObject({ type: z.literal('token'), generationId: generationIdSchema, text: z.string(), tokenId: z.number() }),
  /** The engine worker died; the host keeps running and the model must be loaded again. */
  z.strictObject({ type: z.literal('crash'), message: z.string() }),
  /** A folder chosen through the host's own menu. */
  z.strictObject({ type: z.literal('modelFolderChosen'), path: z.string() }),
]);
export type EngineEvent = z.output<typeof engineEventSchema>;
export type EngineEventType = EngineEvent['type'];

// ---- transports ----

export * from './ipc-channels.js';

/** What the Electron preload exposes as `window.longread`. */
export interface LongreadBridge {
  request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Reply<N>>;
  /** Returns a function that stops listening. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
}
