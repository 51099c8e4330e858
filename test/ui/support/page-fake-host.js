/* global window, setTimeout */
/**
 * A stand-in for Electron's preload bridge, installed into the page before the app loads (Playwright's
 * addInitScript). It answers the contract with synthetic data of any size: a document of `tokens` tokens, a
 * retention map that changes with the ratio, streamed answers with sources. Used by the render benchmark and for
 * screenshots of states the tiny demo model cannot show. Plain JavaScript: it runs in the page as it is.
 */
(() => {
  const config = Object.assign({ tokens: 2000, numLayers: 8, numKvHeads: 4, readMs: 1500, answer: 'default' }, window.__longreadFakeConfig || {});
  const listeners = new Set();
  const running = new Map();
  const emit = (event) => listeners.forEach((l) => l(event));
  const ok = (value) => ({ ok: true, value });
  const fail = (code, message) => ({ ok: false, error: { code, message } });
  const later = (ms) => new Promise((r) => setTimeout(r, ms));
  const MIB = 1024 * 1024;
  const L = config.numLayers;
  const KV = config.numKvHeads;
  const BYTES_PER_SLOT = 2 * 64 * 2;

  const model = {
    dir: '(embedded)', name: config.modelName || 'stories260K', isDemo: !config.modelName, architecture: 'LlamaForCausalLM', family: 'llama',
    numLayers: L, numHeads: KV * 2, numKvHeads: KV, headDim: 64, vocabSize: 32000, maxPositions: 131072, kvBytesPerToken: L * KV * BYTES_PER_SLOT,
    weightsBytes: 980 * MIB, weights: 'q4', executionProvider: 'cpu', providerAttempts: [{ provider: 'cpu', used: true }], hasChatTemplate: true, convertedNow: false,
  };
  const settings = { device: 'auto', threads: 0, defaultMethod: 'am', defaultRatio: 0.2, kvBudgetBytes: 2048 * MIB, theme: config.theme || 'system' };

  // A deterministic document: words, sentences, paragraphs, pages.
  const WORDS = 'the cache keeps what attention needs and drops the rest while reading long documents about rivers mountains contracts proteins ledgers engines winter harvest signal memory'.split(' ');
  let documentText = '';
  const offsets = new Int32Array(config.tokens * 2);
  const parts = [];
  let pageStart = 0;
  for (let t = 0; t < config.tokens; t++) {
    const word = WORDS[(t * 7 + (t >> 3)) % WORDS.length];
    const start = documentText.length;
    documentText += (t % 12 === 0 ? word[0].toUpperCase() + word.slice(1) : word);
    offsets[2 * t] = start;
    offsets[2 * t + 1] = documentText.length;
    documentText += t % 12 === 11 ? '. ' : ' ';
    if (t % 96 === 95) documentText += '\n\n';
    if (t % 1500 === 1499 || t === config.tokens - 1) {
      parts.push({ kind: 'page', label: `p. ${parts.length + 1}`, start: pageStart, end: documentText.length });
      pageStart = documentText.length;
    }
  }
  // How much attention each token draws: sentence starts and the first tokens (attention sinks) more.
  const weight = new Float32Array(config.tokens);
  for (let t = 0; t < config.tokens; t++) weight[t] = t < 4 ? 50 : t % 12 === 0 ? 2.5 : 0.4 + ((t * 2654435761) % 1000) / 800;
  const hash = (a) => {
    let x = a | 0;
    x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
    x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
    return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
  };

  let documentOpen = null;
  let current = { ratio: 0.2, method: 'am' };
  let readDone = false;
  const library = [];

  function documentInfo(name) {
    return {
      documentId: 'doc1', name, title: name.replace(/\.[^.]+$/, '').replace(/[-_]/g, ' '), format: name.endsWith('.pdf') ? 'pdf' : 'txt', fileBytes: documentText.length, chars: documentText.length,
      tokens: config.tokens, parts, range: null,
      estimate: { prefillTokensPerSec: 850, readSeconds: config.tokens / 850, kvBytesFull: config.tokens * model.kvBytesPerToken, kvBytesAtRatio: Math.round(config.tokens * model.kvBytesPerToken * 0.2), ratio: 0.2 },
      fits: true, maxTokens: 131000, maxChars: 520000, libraryId: library.length ? 'lib1' : null, state: 'opened',
    };
  }

  function keeps(t, head, ratio) {
    return hash(t * 131 + head * 7919 + (current.method.length << 20)) < ratio * weight[t];
  }

  function cacheStats(ratio, extra) {
    const positions = config.tokens + extra;
    const layers = [];
    let slots = 0;
    for (let l = 0; l < L; l++) {
      const kept = Math.round(config.tokens * KV * Math.min(1, ratio * (0.7 + (0.6 * l) / Math.max(1, L - 1)))) + extra * KV;
      const capacity = Math.ceil(kept / KV / 64) * 64 * KV + KV * 32;
      layers.push({ slots: kept, capacity });
      slots += kept;
    }
    const allocated = layers.reduce((a, l) => a + l.capacity, 0);
    return { logicalLength: positions, slots, usedBytes: slots * BYTES_PER_SLOT, allocatedBytes: allocated * BYTES_PER_SLOT, fullBytes: positions * L * KV * BYTES_PER_SLOT, layers };
  }

  let generated = 0;
  function status(busy) {
    return {
      model, busy: busy || null, documentId: readDone ? 'doc1' : null, cache: readDone ? cacheStats(current.ratio, generated) : null,
      kvBudgetBytes: settings.kvBudgetBytes, rssBytes: 1400 * MIB, decodeMsPerToken: generated ? 38 : null, notices: [],
    };
  }

  function view() {
    const cache = cacheStats(current.ratio, generated);
    return {
      documentId: 'doc1', method: current.method, ratio: current.ratio, cache, documentTokens: config.tokens, documentSlots: cache.slots - generated * L * KV,
      fidelity: fidelityAt(current.ratio, current.method), compactionMs: 140, canRecompact: true, libraryId: 'lib1',
    };
  }

  const METHOD_ERROR = { am: 1, 'am-omp': 0.85, snapkv: 1.8, streaming: 3.2, h2o: 2.2, knorm: 2.8 };
  function fidelityAt(ratio, method) {
    const e = 0.35 * Math.pow(1 - ratio, 2.2) * (METHOD_ERROR[method] || 1);
    return { outputError: Math.round(e * 1e4) / 1e4, agreement: Math.max(0, 1 - e * 1.4) };
  }

  function keptBy(layer, head) {
    const h = layer * KV + head;
    const ratio = Math.min(1, current.ratio * (0.7 + (0.6 * layer) / Math.max(1, L - 1)));
    const tokens = [];
    for (let t = 0; t < config.tokens; t++) if (keeps(t, h, ratio)) tokens.push(t);
    return tokens;
  }

  function retention(layer, head, allHeads) {
    const counts = new Uint16Array(config.tokens);
    const headSlots = new Int32Array(L * KV);
    const headMeanBeta = new Float32Array(L * KV);
    for (let h = 0; h < L * KV; h++) {
      const ratio = Math.min(1, current.ratio * (0.7 + (0.6 * Math.floor(h / KV)) / Math.max(1, L - 1)));
      let kept = 0;
      for (let t = 0; t < config.tokens; t++) {
        if (keeps(t, h, ratio)) {
          counts[t]++;
          kept++;
        }
      }
      headSlots[h] = kept;
      headMeanBeta[h] = Math.log(1 / Math.max(ratio, 0.01)) * (0.6 + hash(h) * 0.8) - 1;
    }
    let chosen = null;
    if (layer !== undefined && head !== undefined) {
      const tokens = keptBy(layer, head);
      chosen = { layer, head, tokens: Int32Array.from(tokens), beta: Float32Array.from(tokens, (t) => Math.log(1 + weight[t])) };
    }
    let all = null;
    if (allHeads) {
      const lists = [];
      for (let l = 0; l < L; l++) for (let k = 0; k < KV; k++) lists.push(keptBy(l, k));
      const offsetsOut = new Int32Array(lists.length + 1);
      lists.forEach((list, i) => (offsetsOut[i + 1] = offsetsOut[i] + list.length));
      const flat = lists.flat();
      all = { offsets: offsetsOut, tokens: Int32Array.from(flat), beta: Float32Array.from(flat, (t) => Math.log(1 + weight[t])) };
    }
    return { documentId: 'doc1', numLayers: L, numKvHeads: KV, documentTokens: config.tokens, counts, charOffsets: offsets, headSlots, headMeanBeta, head: chosen, allHeads: all };
  }

  async function progress(operationId, stages, ms) {
    for (const { stage, total, unit } of stages) {
      const steps = 6;
      for (let i = 1; i <= steps; i++) {
        if (running.get(operationId) === 'cancelled') throw Object.assign(new Error('cancelled'), { code: 'CANCELLED' });
        await later(ms / stages.length / steps);
        const done = Math.round((total * i) / steps);
        const rate = unit === 'tokens' ? 850 : null;
        emit({ type: 'progress', operationId, stage, done, total, unit, rate, etaMs: rate ? ((total - done) / rate) * 1000 : null });
        if (stage === 'read') {
          emit({ type: 'status', status: { ...status({ operationId, kind: 'readDocument' }), documentId: 'doc1', cache: { ...cacheStats(1, 0), logicalLength: done, slots: done * L * KV, usedBytes: done * L * KV * BYTES_PER_SLOT, fullBytes: done * L * KV * BYTES_PER_SLOT } } });
        }
      }
    }
  }

  const ANSWERS = {
    default: 'The document argues that **the cache keeps what attention needs**. It reads long documents once and drops the rest.\n\n- Rivers and mountains appear as examples.\n- Contracts and ledgers come later.',
    xss: 'Formatting stays: **bold** and `code`. <img src="https://example.invalid/x.png" onerror="window.__pwned = true"> <a href="https://example.invalid">a link</a> <span style="color:red">styled</span>',
  };

  async function stream(operationId, text, withSources) {
    const pieces = text.match(/\S+\s*|\s+/g) || [];
    const sources = [];
    for (let i = 0; i < pieces.length; i++) {
      if (running.get(operationId) === 'cancelled') return { text: pieces.slice(0, i).join(''), stopReason: 'cancelled', sources, tokens: i };
      await later(config.tokenMs ?? 25);
      const ends = /[.!?]\s*$/.test(pieces[i]) || i === pieces.length - 1;
      const event = { type: 'token', operationId, text: pieces[i] };
      if (ends && withSources) {
        // Each sentence draws on a passage of some page, and on the opening.
        const part = parts[Math.min(Math.floor(hash(sources.length + 3) * parts.length), parts.length - 1)];
        const start = part.start + 40;
        const sentence = [
          { start, end: start + 90, label: part.label, weight: 0.62, text: documentText.slice(start, start + 90) },
          { start: 0, end: 60, label: 'p. 1', weight: 0.21, text: documentText.slice(0, 60) },
        ];
        event.sources = sentence;
        sources.push(sentence);
      }
      generated++;
      emit(event);
      if (i % 8 === 0) emit({ type: 'status', status: status({ operationId, kind: 'ask' }) });
    }
    return { text, stopReason: 'stop-token', sources, tokens: pieces.length };
  }

  function answer(operationId, result, prompt) {
    return ok({ operationId, conversationId: 'conv1', text: result.text, sources: result.sources, tokens: result.tokens, stopReason: result.stopReason, promptTokens: prompt, prefilledTokens: 24, prefillMs: 30, decodeMs: result.tokens * 38, executionProvider: 'cpu' });
  }

  const handlers = {
    hostInfo: () => ok({ transport: 'electron', canOpenDialogs: false, defaultModelDir: null, maxUploadBytes: 0, version: '0.1.0-fake' }),
    getSettings: () => ok(settings),
    putSettings: (p) => ok(Object.assign(settings, p)),
    status: () => ok(status()),
    loadModel: async (p) => {
      await progress(p.operationId, [{ stage: 'load', total: L, unit: 'layers' }], 300);
      return ok(model);
    },
    catalog: () => ok([
      { repo: 'Qwen/Qwen2.5-0.5B-Instruct', name: 'Qwen2.5 0.5B Instruct', parameters: '0.5B', downloadBytes: 990 * MIB, contextLength: 32768, fitsMemory: true, localDir: null },
      { repo: 'Qwen/Qwen3-1.7B', name: 'Qwen3 1.7B', parameters: '1.7B', downloadBytes: 3400 * MIB, contextLength: 40960, fitsMemory: true, localDir: null },
      { repo: 'Qwen/Qwen3-4B', name: 'Qwen3 4B', parameters: '4B', downloadBytes: 8000 * MIB, contextLength: 40960, fitsMemory: false, localDir: null },
    ]),
    libraryList: () => ok(library.slice()),
    downloadModel: async (p) => {
      const total = 990 * MIB;
      for (let done = 0; done < total; done += total / 40) {
        if (running.get(p.operationId) === 'cancelled') return fail('CANCELLED', 'The download was cancelled; start it again to resume.');
        await later(100);
        emit({ type: 'progress', operationId: p.operationId, stage: 'download', done, total, unit: 'bytes', rate: 12 * MIB, etaMs: ((total - done) / (12 * MIB)) * 1000 });
      }
      return ok({ modelDir: `/fake/models/${p.repo}` });
    },
    openDocument: async (p) => {
      const name = p.name || 'document.txt';
      await progress(p.operationId, [{ stage: 'parse', total: parts.length, unit: 'pages' }, { stage: 'tokenize', total: config.tokens, unit: 'tokens' }], 300);
      if (/scan/i.test(name)) return fail('PDF_NO_TEXT', `“${name}” has no text layer: it is probably a scan. Run it through OCR (for example ocrmypdf) and open the result.`);
      documentOpen = documentInfo(name);
      return ok(documentOpen);
    },
    readDocument: async (p) => {
      current = { ratio: p.ratio ?? 0.2, method: p.method ?? 'am' };
      try {
        await progress(p.operationId, [
          { stage: 'tokenize', total: config.tokens, unit: 'tokens' },
          { stage: 'read', total: config.tokens, unit: 'tokens' },
          { stage: 'reference-queries', total: 64, unit: 'blocks' },
          { stage: 'compact', total: L, unit: 'layers' },
        ], config.readMs);
      } catch {
        return fail('CANCELLED', 'Reading was cancelled');
      }
      readDone = true;
      if (!library.length) library.push({ libraryId: 'lib1', name: documentOpen.name, title: documentOpen.title, format: documentOpen.format, fileBytes: documentOpen.fileBytes, tokenCount: config.tokens, modelName: model.name, matchesModel: true, method: current.method, ratio: current.ratio, diskBytes: 40 * MIB, conversations: 0, updatedAt: new Date().toISOString() });
      emit({ type: 'status', status: status() });
      return ok(view());
    },
    setRatio: async (p) => {
      current = { ratio: p.ratio, method: p.method ?? current.method };
      await later(config.recompactMs ?? 20);
      const v = view();
      emit({ type: 'status', status: status() });
      return ok(v);
    },
    fidelityCurve: (p) => ok(p.ratios.map((r) => ({ ratio: r, ...fidelityAt(r, p.method ?? 'am') }))),
    retention: (p) => ok(retention(p.layer, p.head, p.allHeads)),
    documentText: () => ok({ documentId: 'doc1', text: documentText, parts }),
    closeDocument: () => ok(null),
    ask: async (p) => answer(p.operationId, await stream(p.operationId, ANSWERS[config.answer] || ANSWERS.default, true), config.tokens + 30),
    summarize: async (p) => answer(p.operationId, await stream(p.operationId, ANSWERS.default, true), config.tokens + 20),
    generate: async (p) => answer(p.operationId, await stream(p.operationId, ' upon a time there was a little cache.', false), 8),
    cancel: (p) => {
      running.set(p.operationId, 'cancelled');
      return ok({ cancelled: true });
    },
    libraryOpen: async (p) => {
      await progress(p.operationId, [{ stage: 'open', total: 100, unit: 'blocks' }], 200);
      readDone = true;
      documentOpen = { ...documentInfo(library[0].name), state: 'ready', libraryId: 'lib1' };
      return ok({ document: documentOpen, view: view(), conversations: [] });
    },
    libraryDelete: () => ok({ freedBytes: 40 * MIB }),
    conversations: () => ok([]),
  };

  window.__longreadFake = { emit, text: documentText, offsets, parts };
  window.longread = {
    async request(name, payload) {
      const handler = handlers[name];
      if (!handler) return fail('UNKNOWN_REQUEST', `the page fake does not answer ${name}`);
      if (payload && payload.operationId) running.set(payload.operationId, 'running');
      const reply = await handler(payload || {});
      return reply;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pathForFile(file) {
      return `/fake/${file.name}`;
    },
  };
})();
