import {
  describeIssues,
  HOST_REQUESTS,
  replyValueSchemas,
  requestSchemas,
  type AnyReply,
  type EngineEvent,
  type EngineRequestName,
  type HostInfo,
  type HostRequestName,
  type RequestName,
  type ValidRequest,
} from '../common/contract.js';

/** The part of EngineClient a host uses; tests may stand a fake in for it. */
export interface EngineLike {
  request(name: EngineRequestName, payload: unknown): Promise<AnyReply>;
  onEvent(listener: (event: EngineEvent) => void): () => void;
}

export interface HostOptions {
  transport: HostInfo['transport'];
  version: string;
  /** A model folder the host was started with; absent: the demo model. */
  defaultModelDir?: string;
  maxUploadBytes: number;
  /** The host's pickers, where it has them (Electron). */
  pickModelFolder?: () => Promise<string | null>;
  pickDocument?: () => Promise<string | null>;
  /** Where an upload of the web host lies. */
  resolveUpload?: (uploadId: string) => { path: string; name: string } | null;
}

/**
 * Every request from a UI passes here, whichever transport brought it (Electron IPC or HTTP): checked against the
 * contract before anything acts on it, answered by the host when it is the host's own (dialogs, host info), otherwise
 * forwarded to the engine process; the engine's reply is checked against the contract on its way back.
 */
export class HostBridge {
  constructor(
    private readonly engine: EngineLike,
    private readonly options: HostOptions,
  ) {}

  onEvent(listener: (event: EngineEvent) => void): () => void {
    return this.engine.onEvent(listener);
  }

  /** Never throws: whatever goes wrong becomes an error reply. */
  async handle(name: string, payload: unknown): Promise<AnyReply> {
    if (!Object.hasOwn(requestSchemas, name)) return fail('UNKNOWN_REQUEST', `Unknown request "${name}"`);
    const requestName = name as RequestName;
    const parsed = requestSchemas[requestName].safeParse(payload ?? {});
    if (!parsed.success) return fail('INVALID_REQUEST', `Invalid ${name} request: ${describeIssues(parsed.error.issues)}`);
    try {
      const reply = isHostRequest(requestName) ? { ok: true as const, value: await this.hostRequest(requestName) } : await this.engine.request(requestName, this.toEngine(requestName, parsed.data));
      if (!reply.ok) return reply;
      const checked = replyValueSchemas[requestName].safeParse(reply.value);
      if (!checked.success) return fail('INTERNAL', `The engine's ${name} reply broke the contract: ${describeIssues(checked.error.issues)}`);
      return { ok: true, value: checked.data };
    } catch (e) {
      const code = typeof e === 'object' && e !== null && typeof Reflect.get(e, 'code') === 'string' ? (Reflect.get(e, 'code') as string) : 'INTERNAL';
      return fail(code, e instanceof Error ? e.message : String(e));
    }
  }

  private async hostRequest(name: HostRequestName): Promise<unknown> {
    const o = this.options;
    switch (name) {
      case 'hostInfo':
        return {
          transport: o.transport,
          canOpenDialogs: o.pickModelFolder !== undefined,
          defaultModelDir: o.defaultModelDir ?? null,
          maxUploadBytes: o.maxUploadBytes,
          version: o.version,
        } satisfies HostInfo;
      case 'openModelFolderDialog':
        if (!o.pickModelFolder) throw Object.assign(new Error('This host has no folder picker; type the folder path instead'), { code: 'UNSUPPORTED' });
        return { path: await o.pickModelFolder() };
      case 'openDocumentDialog':
        if (!o.pickDocument) throw Object.assign(new Error('This host has no file picker; drop the file or upload it'), { code: 'UNSUPPORTED' });
        return { path: await o.pickDocument() };
    }
  }

  /** Fills in what the host knows: uploads become paths, an absent model folder the host's default. */
  private toEngine(name: EngineRequestName, req: unknown): unknown {
    if (name === 'loadModel') {
      const r = req as ValidRequest<'loadModel'>;
      return r.modelDir === undefined && this.options.defaultModelDir ? { ...r, modelDir: this.options.defaultModelDir } : r;
    }
    if (name === 'openDocument') {
      const r = req as ValidRequest<'openDocument'>;
      if ('uploadId' in r.source) {
        const upload = this.options.resolveUpload?.(r.source.uploadId);
        if (!upload) throw Object.assign(new Error('That upload is unknown or has expired; upload the file again'), { code: 'NOT_FOUND' });
        return { ...r, source: { path: upload.path }, name: r.name ?? upload.name };
      }
    }
    return req;
  }
}

function isHostRequest(name: RequestName): name is HostRequestName {
  return (HOST_REQUESTS as readonly string[]).includes(name);
}

function fail(code: string, message: string): AnyReply {
  return { ok: false, error: { code, message } };
}
