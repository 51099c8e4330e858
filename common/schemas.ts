import { z } from 'zod';

/**
 * The values that requests, replies and events are made of (models, documents, views, answers, retention maps,
 * library entries, settings, status). `contract.ts` composes them into the contract and re-exports them.
 */

export const DEVICES = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'] as const;
export const WEIGHTS = ['q4', 'q8', 'fp32'] as const;
/** The compaction methods a person can pick (the engine has a few more for evaluation). */
export const METHODS = ['am', 'am-omp', 'snapkv', 'streaming', 'h2o', 'knorm'] as const;
export const DEFAULT_METHOD = 'am';
export const DEFAULT_RATIO = 0.2;
export const MIN_RATIO = 0.01;

export const boundedText = (max: number) => z.string().max(max).refine((s) => !s.includes('\0'), 'must not contain NUL characters');
/** Ids minted by callers (operations) or by the engine (documents, conversations, library entries). */
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -');
export const count = z.number().int().min(0);

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces

export const samplingSchema = z.strictObject({
  temperature: z.number().min(0).max(5).optional(),
  topK: z.number().int().min(0).max(100_000).optional(),
  topP: z.number().gt(0).max(1).optional(),
  repetitionPenalty: z.number().min(0.1).max(10).optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
});

/** How an answer is generated; shared by generate, ask and summarize. */
export const generationSchema = z.strictObject({
  maxTokens: z.number().int().min(1).max(32_768).default(512),
  sampling: samplingSchema.optional(),
  stopStrings: z.array(boundedText(200).min(1)).max(16).optional(),
  /** Variables passed to the chat template, e.g. Qwen3's `enable_thinking`. */
  templateVariables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.union([z.boolean(), z.number(), z.string().max(1000)])).optional(),
});

export const chatTurnSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: boundedText(1_000_000),
});

export const methodSchema = z.enum(METHODS);
export const ratioSchema = z.number().min(MIN_RATIO).max(1);

/** A passage of the document an answer sentence drew on. */
export const sourceSchema = z.strictObject({
  /** Character range in the document's text. */
  start: count,
  end: count,
  /** Page label (PDF) or section heading, when the document has them. */
  label: z.string().nullable(),
  /** Share of the sentence's attention on this passage. */
  weight: z.number(),
  /** The passage's text (short). */
  text: z.string(),
});

export const providerAttemptSchema = z.strictObject({
  provider: z.enum(DEVICES).exclude(['auto']),
  used: z.boolean(),
  reason: z.string().optional(),
});

export const modelInfoSchema = z.strictObject({
  dir: z.string(),
  name: z.string(),
  /** The embedded demo model. */
  isDemo: z.boolean(),
  architecture: z.string(),
  family: z.string(),
  numLayers: count,
  numHeads: count,
  numKvHeads: count,
  headDim: count,
  vocabSize: count,
  maxPositions: count,
  kvBytesPerToken: count,
  weightsBytes: count,
  weights: z.enum(WEIGHTS),
  executionProvider: z.string(),
  providerAttempts: z.array(providerAttemptSchema),
  hasChatTemplate: z.boolean(),
  convertedNow: z.boolean(),
});

export const documentPartSchema = z.strictObject({
  kind: z.enum(['page', 'section']),
  label: z.string(),
  start: count,
  end: count,
});

export const documentFormatSchema = z.enum(['txt', 'md', 'pdf', 'docx', 'html']);

/** What a person sees before reading: size, time and memory, and whether it fits. */
export const documentInfoSchema = z.strictObject({
  documentId: idSchema,
  name: z.string(),
  title: z.string(),
  format: documentFormatSchema,
  fileBytes: count,
  chars: count,
  tokens: count,
  parts: z.array(documentPartSchema),
  /** The character range read, when only part of the file was chosen. */
  range: z.strictObject({ start: count, end: count }).nullable(),
  estimate: z.strictObject({
    /** This machine's measured prefill speed for this model. */
    prefillTokensPerSec: z.number(),
    readSeconds: z.number(),
    kvBytesFull: count,
    kvBytesAtRatio: count,
    ratio: z.number(),
  }),
  /** Whether the whole prompt (template + document + room to answer) fits the model's positions. */
  fits: z.boolean(),
  /** Most document tokens this model can read, and roughly how many characters that is. */
  maxTokens: count,
  maxChars: count,
  /** Set when this file was already read with this model: open it from the library instead of reading again. */
  libraryId: idSchema.nullable(),
  /** 'opened' before reading; 'ready' once read and compacted. */
  state: z.enum(['opened', 'ready']),
});

export const layerStatsSchema = z.strictObject({
  /** Slots held, summed over the layer's KV heads. */
  slots: count,
  /** Slots the layer's buffers hold room for (the widest head × KV heads): the rest is padding. */
  capacity: count,
});

export const cacheStatsSchema = z.strictObject({
  /** Positions consumed (document + conversation). */
  logicalLength: count,
  /** Slots held over every (layer, KV head). */
  slots: count,
  usedBytes: count,
  allocatedBytes: count,
  /** What the same positions would take uncompacted. */
  fullBytes: count,
  layers: z.array(layerStatsSchema),
});

/** A document's compacted view: the method and ratio it was compacted to, and what that cost and kept. */
export const viewInfoSchema = z.strictObject({
  documentId: idSchema,
  method: methodSchema,
  ratio: z.number(),
  cache: cacheStatsSchema,
  /** Document tokens and slots kept for them, over every (layer, KV head). */
  documentTokens: count,
  documentSlots: count,
  /**
   * Relative error of the attention output on held-out reference queries (0 = identical to the full cache); an
   * estimate of how much the compaction changes what the model reads from the document.
   */
  fidelity: z.strictObject({ outputError: z.number(), agreement: z.number() }),
  compactionMs: z.number(),
  /** Whether the slider can move without reading again (the prepared state is kept). */
  canRecompact: z.boolean(),
  libraryId: idSchema.nullable(),
});

export const answerSchema = z.strictObject({
  operationId: idSchema,
  conversationId: idSchema.nullable(),
  text: z.string(),
  /** Per sentence of the answer, in order: the passages it drew on. */
  sources: z.array(z.array(sourceSchema)),
  tokens: count,
  stopReason: z.enum(['stop-token', 'stop-string', 'max-tokens', 'context-full', 'cancelled']),
  promptTokens: count,
  /** Prompt tokens actually prefilled (the rest were already in the cache). */
  prefilledTokens: count,
  prefillMs: z.number(),
  decodeMs: z.number(),
  executionProvider: z.string(),
});

export const conversationTurnSchema = z.strictObject({
  role: z.enum(['user', 'assistant']),
  text: z.string(),
  sources: z.array(z.array(sourceSchema)).optional(),
  /** A user turn that was a Summarize request rather than a question (so Regenerate summarizes again). */
  kind: z.enum(['ask', 'summarize']).optional(),
  createdAt: z.string(),
});

export const conversationSchema = z.strictObject({
  id: idSchema,
  documentId: idSchema,
  title: z.string(),
  turns: z.array(conversationTurnSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const libraryEntrySchema = z.strictObject({
  libraryId: idSchema,
  name: z.string(),
  title: z.string(),
  format: documentFormatSchema,
  fileBytes: count,
  tokenCount: count,
  modelName: z.string(),
  /** Whether it was read with the loaded model (only those open without reading again). */
  matchesModel: z.boolean(),
  method: z.string(),
  ratio: z.number(),
  diskBytes: count,
  conversations: count,
  updatedAt: z.string(),
});

export const settingsSchema = z.strictObject({
  device: z.enum(DEVICES),
  threads: z.number().int().min(0).max(256),
  defaultMethod: methodSchema,
  defaultRatio: ratioSchema,
  /** Most bytes of KV cache held in memory while reading; above it the document is read chunk by chunk. */
  kvBudgetBytes: z.number().int().min(16 * 2 ** 20).max(2 ** 40),
  theme: z.enum(['system', 'light', 'dark']),
});

export const catalogEntrySchema = z.strictObject({
  repo: z.string(),
  name: z.string(),
  parameters: z.string(),
  downloadBytes: count,
  contextLength: count,
  /** Weights + a 32k-token KV cache at the default ratio fit in this machine's memory. */
  fitsMemory: z.boolean(),
  /** Where it is when already downloaded. */
  localDir: z.string().nullable(),
});

export const engineStatusSchema = z.strictObject({
  model: modelInfoSchema.nullable(),
  /** The operation running now, if any. */
  busy: z.strictObject({ operationId: idSchema, kind: z.string() }).nullable(),
  /** The active document's cache (or the plain chat's), null when none. */
  documentId: idSchema.nullable(),
  cache: cacheStatsSchema.nullable(),
  kvBudgetBytes: count,
  rssBytes: count,
  /** Decode speed on the current cache (last generation), ms per token. */
  decodeMsPerToken: z.number().nullable(),
  /** Things a person should know about the library (a damaged file moved aside, settings reset). */
  notices: z.array(z.string()),
});

// ---------------------------------------------------------------------------------------------------------------
// Retention (binary): for each document token, how many (layer, KV head) pairs kept it; per head, which ones.

export const retentionRequestSchema = z.strictObject({
  documentId: idSchema,
  /** With both: exactly which tokens that (layer, KV head) kept, and their β. */
  layer: count.optional(),
  head: count.optional(),
  /** Every head's kept tokens and β at once (what hovering a token needs). */
  allHeads: z.boolean().optional(),
});

export const retentionSchema = z.strictObject({
  documentId: idSchema,
  numLayers: count,
  numKvHeads: count,
  documentTokens: count,
  /** Per document token: (layer, KV head) pairs that kept it (0 … L·KV). */
  counts: z.instanceof(Uint16Array),
  /** Per document token: [start, end) character offsets in the document's text (2 per token). */
  charOffsets: z.instanceof(Int32Array),
  /** Per (layer, KV head), layer-major: document slots kept, and their mean β. */
  headSlots: z.instanceof(Int32Array),
  headMeanBeta: z.instanceof(Float32Array),
  /** The chosen head, when asked for: kept document token indices (ascending) and their β. */
  head: z
    .strictObject({ layer: count, head: count, tokens: z.instanceof(Int32Array), beta: z.instanceof(Float32Array) })
    .nullable(),
  /**
   * When asked for: every head's kept tokens and β, layer-major; head i's are tokens[offsets[i] … offsets[i + 1]).
   */
  allHeads: z.strictObject({ offsets: z.instanceof(Int32Array), tokens: z.instanceof(Int32Array), beta: z.instanceof(Float32Array) }).nullable(),
});

