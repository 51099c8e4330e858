import type { CacheStatus as EngineCacheStatus, GenerateRequest, GenerateResult as EngineGenerateResult, LoadRequest, ModelInfo as EngineModelInfo } from '../engine/host/protocol.js';
import {
  REQUEST_NAMES,
  requestSchemas,
  type AnyReply,
  type CacheStatus,
  type EngineEvent,
  type GenerateResult,
  type HostInfo,
  type ModelInfo,
  type RequestName,
  type ValidRequest,
} from './ipc-contract.js';

/** The part of EngineClient the bridge uses: a fake stands in for it in tests. */
export interface EngineHost {
  load(req: LoadRequest, onProgress?: (stage: string, done: number, total: number) => void): Promise<EngineModelInfo>;
  generate(req: GenerateRequest, onToken?: (text: string, tokenId: number) => void): { result: Promise<EngineGenerateResult>; cancel: () => void };
  status(): Promise<EngineCacheStatus | null>;
  reset(): Promise<void>;
  onCrash?: (message: string) => void;
}

// The contract's reply types are written for the UI; these fail to compile if the engine's types drift from them.
const _sameModelInfo = (m: EngineModelInfo): ModelInfo => m;
const _sameResult = (r: EngineGenerateResult): GenerateResult => r;
const _sameStatus = (s: EngineCacheStatus): CacheStatus => s;

export interface BridgeOptions {
  transport: HostInfo['transport'];
  /** Where converted models are cached; the host decides, never the UI. */
  cacheRoot?: string;
  defaultModelDir?: string;
  /** The host's folder picker, where it has one. */
  pickModelFolder?: () => Promise<string | null>;
}

type Handlers = { [N in RequestName]: (req: ValidRequest<N>) => Promise<unknown> };

class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Validates every request from the UI against the contract and dispatches it to the engine; forwards the engine's
 * progress, tokens and crashes as events. Knows nothing of the transport, so Electron and HTTP hosts share it.
 */
export class EngineBridge {
  private generation: { id: string; cancel: () => void } | null = null;
  private readonly handlers: Handlers;

  constructor(
    private readonly engine: EngineHost,
    private readonly emit: (event: EngineEvent) => void,
    private readonly options: BridgeOptions,
  ) {
    engine.onCrash = (message) => this.emit({ type: 'crash', message });
    this.handlers = {
      hostInfo: async () => ({
        transport: options.transport,
        canOpenFolder: options.pickModelFolder !== undefined,
        defaultModelDir: options.defaultModelDir ?? null,
      }),
      load: (req) => this.load(req),
      generate: (req) => this.generate(req),
      cancel: async (req) => this.cancel(req.generationId),
      status: () => this.engine.status(),
      reset: () => this.reset(),
      openModelFolder: async () => {
        if (!options.pickModelFolder) throw new BridgeError('UNSUPPORTED', 'This host has no folder picker; type the folder path instead');
        return { path: await options.pickModelFolder() };
      },
    };
  }

  /** Never throws: whatever goes wrong becomes an error reply. */
  async handle(name: string, payload: unknown): Promise<AnyReply> {
    if (!isRequestName(name)) return fail('UNKNOWN_REQUEST', `Unknown request "${name}"`);
    const parsed = requestSchemas[name].safeParse(payload ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
      return fail('INVALID_REQUEST', `Invalid ${name} request: ${issues.join('; ')}`);
    }
    try {
      const handler = this.handlers[name] as (req: unknown) => Promise<unknown>;
      return { ok: true, value: (await handler(parsed.data)) ?? null };
    } catch (e) {
      return fail(errorCode(e), e instanceof Error ? e.message : String(e));
    }
  }

  private load(req: ValidRequest<'load'>): Promise<EngineModelInfo> {
    if (this.generation) throw new BridgeError('BUSY', 'Stop the running generation before loading a model');
    const onProgress = (stage: string, done: number, total: number) => this.emit({ type: 'progress', stage, done, total });
    return this.engine.load({ ...req, cacheRoot: this.options.cacheRoot }, onProgress);
  }

  private async generate(req: ValidRequest<'generate'>): Promise<EngineGenerateResult> {
    if (this.generation) throw new BridgeError('BUSY', 'A generation is already running; stop it first');
    const { generationId, ...engineReq } = req;
    const onToken = (text: string, tokenId: number) => this.emit({ type: 'token', generationId, text, tokenId });
    const { result, cancel } = this.engine.generate(engineReq, onToken);
    const generation = { id: generationId, cancel };
    this.generation = generation;
    try {
      return await result;
    } finally {
      if (this.generation === generation) this.generation = null;
    }
  }

  private cancel(generationId: string): { cancelled: boolean } {
    if (this.generation?.id !== generationId) return { cancelled: false };
    this.generation.cancel();
    return { cancelled: true };
  }

  private async reset(): Promise<null> {
    if (this.generation) throw new BridgeError('BUSY', 'Stop the running generation before clearing the conversation');
    await this.engine.reset();
    return null;
  }
}

function isRequestName(name: string): name is RequestName {
  return (REQUEST_NAMES as string[]).includes(name);
}

/** LongreadError and BridgeError carry a code; anything else is a bug. */
function errorCode(e: unknown): string {
  const code: unknown = typeof e === 'object' && e !== null ? Reflect.get(e, 'code') : undefined;
  return typeof code === 'string' ? code : 'INTERNAL';
}

function fail(code: string, message: string): AnyReply {
  return { ok: false, error: { code, message } };
}
