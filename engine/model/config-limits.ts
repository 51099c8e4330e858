/**
 * Bounds on config.json values. The largest real models stay well inside them (e.g. 126 layers, hidden size 16384,
 * 256k vocabulary, 10M positions); values outside are damaged or hostile configs, and refusing them before anything
 * is allocated keeps a config like `num_hidden_layers: 1e9` from exhausting memory.
 */
export const CONFIG_LIMITS = {
  layers: 1024,
  hiddenSize: 65536,
  intermediateSize: 1 << 20,
  heads: 1024,
  headDim: 2048,
  vocabSize: 1 << 23,
  positions: 1 << 26,
} as const;
