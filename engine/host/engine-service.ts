import path from 'node:path';
import {
  describeIssues,
  requestSchemas,
  type AnyReply,
  type EngineEvent,
  type EngineRequestName,
  type EngineStatus,
  type ModelInfo,
  type ValidRequest,
} from '../../common/contract.js';
import { tokenizerFingerprint } from '../cache/compacted-file.js';
import { isLongreadError, LongreadError } from '../errors.js';
import type { AttentionOps } from '../compaction/attention-ops.js';
import { AttentionKernels } from '../kernels/attention-kernels.js';
import { OrtAttentionOps } from '../kernels/ort-attention-ops.js';
import { Library } from '../library/index.js';
import { loadModel, type LoadedModel } from '../load-model.js';
import { kvBytesPerToken } from '../model/spec.js';
import type { OperationControl } from '../util/operation.js';
import { demoModelDir } from '../util/paths.js';
import { DocumentHandlers } from './document-handlers.js';
import { OperationRunner } from './operations.js';
import { PlainChat } from './plain-chat.js';
import { measurePrefillSpeed } from './prefill-speed.js';
import { catalogEntries, downloadCatalogModel } from './catalog.js';

export interface EngineServiceOptions {
  /** Where the library (read documents, conversations, settings) and downloaded models live. */
  dataDir: string;
  /** Where converted models are cached (default ~/.cache/longread). */
  cacheRoot?: string;
  emit: (event: EngineEvent) => void;
}

/** What every handler can reach: the model once loaded, the library, the operation runner. */
export interface EngineContext {
  readonly model: LoadedModel;
  /** Compaction's heavy products, on the service's onnxruntime kernels. */
  readonly ops: AttentionOps;
  readonly tokenizerFingerprint: string;
  readonly prefillTokensPerSec: number;
  readonly library: Library;
  readonly runner: OperationRunner;
  readonly emit: (event: EngineEvent) => void;
  /** Pushes a status event now, or at most every interval while `throttle` is set. */
  pushStatus(throttle?: boolean): void;
  /** Refines the prefill speed behind read-time estimates from a real read (tokens prefilled, time taken). */
  recordPrefill(tokens: number, ms: number): void;
}

type Handlers = { [N in EngineRequestName]: (req: ValidRequest<N>) => Promise<unknown> | unknown };

const STATUS_INTERVAL_MS = 250;

/**
 * The engine behind every host (Electron's utility process, the web host's child process, the CLI): validates each
 * request against the contract, runs long operations one at a time through the OperationRunner (each cancellable,
 * with progress), answers quick ones at once, and pushes status events so a meter never waits behind a generation.
 */
export class EngineService {
  private loaded: { model: LoadedModel; info: ModelInfo; kernels: AttentionKernels; ops: AttentionOps; tokenizerFingerprint: string; prefillTokensPerSec: number } | null = null;
  readonly library: Library;
  private readonly runner: OperationRunner;
  private readonly documents: DocumentHandlers;
  private readonly plainChat = new PlainChat();
  private lastStatusAt = 0;
  private readonly handlers: Handlers;

  constructor(private readonly options: EngineServiceOptions) {
    this.library = Library.open(path.join(options.dataDir, 'library'));
    this.runner = new OperationRunner((e) => {
      options.emit(e);
      this.pushStatus(true);
    });
    this.documents = new DocumentHandlers(() => this.context());
    this.handlers = {
      loadModel: (r) => this.runner.run(r.operationId, 'loadModel', (c) => this.loadModel(r, c)),
      catalog: () => catalogEntries(options.dataDir),
      downloadModel: (r) => this.runner.run(r.operationId, 'downloadModel', (c) => downloadCatalogModel(r.repo, options.dataDir, c)),
      openDocument: (r) => this.documents.open(r),
      readDocument: (r) => this.documents.read(r),
      setRatio: (r) => this.documents.setRatio(r),
      fidelityCurve: (r) => this.documents.fidelityCurve(r),
      retention: (r) => this.documents.retention(r),
      documentText: (r) => this.documents.text(r),
      closeDocument: (r) => this.documents.close(r),
      ask: (r) => this.documents.ask(r, r.question),
      summarize: (r) => this.documents.ask(r, null),
      generate: (r) => this.runner.run(r.operationId, 'generate', (c) => this.plainChat.generate(this.context(), r, c)),
      cancel: (r) => ({ cancelled: this.runner.cancel(r.operationId) }),
      reset: () => {
        this.plainChat.reset();
        return null;
      },
      status: () => this.status(),
      libraryList: () => this.documents.libraryList(this.loaded?.model.fingerprint ?? null),
      libraryOpen: (r) => this.documents.libraryOpen(r),
      libraryDelete: (r) => this.documents.libraryDelete(r),
      conversations: (r) => this.library.listConversations(r.libraryId).map((c) => this.documents.conversationOut(c)),
      conversation: (r) => this.documents.conversationOut(this.library.getConversation(r.libraryId, r.conversationId)),
      getSettings: () => this.library.getSettings(),
      putSettings: (r) => this.library.putSettings(r),
    };
  }

  /** Never throws: whatever goes wrong becomes an error reply with a code and a message for a person. */
  async handle(name: string, payload: unknown): Promise<AnyReply> {
    if (!Object.hasOwn(this.handlers, name)) return fail('UNKNOWN_REQUEST', `Unknown request "${name}"`);
    const parsed = requestSchemas[name as EngineRequestName].safeParse(payload ?? {});
    if (!parsed.success) return fail('INVALID_REQUEST', `Invalid ${name} request: ${describeIssues(parsed.error.issues)}`);
    try {
      const handler = this.handlers[name as EngineRequestName] as (req: unknown) => Promise<unknown> | unknown;
      return { ok: true, value: (await handler(parsed.data)) ?? null };
    } catch (e) {
      return fail(isLongreadError(e) ? e.code : 'INTERNAL', e instanceof Error ? e.message : String(e));
    } finally {
      if (name !== 'status') this.pushStatus();
    }
  }

  private context(): EngineContext {
    const l = this.loaded;
    if (!l) throw new LongreadError('BAD_ARGUMENT', 'No model is loaded; load a model first');
    return {
      model: l.model,
      ops: l.ops,
      tokenizerFingerprint: l.tokenizerFingerprint,
      prefillTokensPerSec: l.prefillTokensPerSec,
      library: this.library,
      runner: this.runner,
      emit: this.options.emit,
      pushStatus: (throttle) => this.pushStatus(throttle),
      recordPrefill: (tokens, ms) => {
        if (tokens >= 64 && ms > 0) l.prefillTokensPerSec = 0.5 * l.prefillTokensPerSec + 0.5 * (tokens / (ms / 1000));
      },
    };
  }

  private async loadModel(r: ValidRequest<'loadModel'>, control: OperationControl): Promise<ModelInfo> {
    await this.unload();
    const dir = path.resolve(r.modelDir ?? demoModelDir());
    const threads = this.library.getSettings().threads || undefined;
    const model = await loadModel(dir, {
      device: r.device,
      weights: r.weights,
      attentionSummary: 'reduced',
      cacheRoot: this.options.cacheRoot,
      threads,
      onProgress: (p) => control.progress('convert', p.layersDone, p.layersTotal, 'layers'),
    });
    try {
      const prefillTokensPerSec = await measurePrefillSpeed(model);
      const { spec } = model;
      const info: ModelInfo = {
        dir,
        name: path.basename(dir),
        isDemo: r.modelDir === undefined || dir === path.resolve(demoModelDir()),
        architecture: spec.architecture,
        family: spec.family,
        numLayers: spec.numLayers,
        numHeads: spec.numHeads,
        numKvHeads: spec.numKvHeads,
        headDim: spec.headDim,
        vocabSize: spec.vocabSize,
        maxPositions: spec.maxPositions,
        kvBytesPerToken: kvBytesPerToken(spec),
        weightsBytes: model.converted.weightBytes,
        weights: model.converted.options.weights,
        executionProvider: model.executionProvider,
        providerAttempts: model.providerAttempts,
        hasChatTemplate: model.tokenizer.chatTemplate !== null,
        convertedNow: !model.converted.cached,
      };
      const kernels = new AttentionKernels(threads ?? 0);
      this.loaded = { model, info, kernels, ops: new OrtAttentionOps(kernels), tokenizerFingerprint: tokenizerFingerprint(dir), prefillTokensPerSec };
      return info;
    } catch (e) {
      await model.close();
      throw e;
    }
  }

  private async unload(): Promise<void> {
    const l = this.loaded;
    this.loaded = null;
    this.documents.closeAll();
    this.plainChat.reset();
    if (l) {
      await l.kernels.close();
      await l.model.close();
    }
  }

  status(): EngineStatus {
    const active = this.loaded ? this.documents.activeCache() : null;
    const plain = this.loaded && !active ? this.plainChat.cacheStats(this.loaded.model) : null;
    return {
      model: this.loaded?.info ?? null,
      busy: this.runner.busy,
      documentId: active?.documentId ?? null,
      cache: active?.stats ?? plain,
      kvBudgetBytes: this.library.getSettings().kvBudgetBytes,
      rssBytes: process.memoryUsage().rss,
      decodeMsPerToken: this.documents.decodeMsPerToken ?? this.plainChat.decodeMsPerToken,
      notices: this.library.listProblems(),
    };
  }

  pushStatus(throttle = false): void {
    const now = performance.now();
    if (throttle && now - this.lastStatusAt < STATUS_INTERVAL_MS) return;
    this.lastStatusAt = now;
    this.options.emit({ type: 'status', status: this.status() });
  }

  async close(): Promise<void> {
    await this.unload();
  }
}

function fail(code: string, message: string): AnyReply {
  return { ok: false, error: { code, message } };
}
