/** Names of the decoder graph's inputs and outputs, shared by the builder and the runtime. */
export const IO = {
  inputIds: 'input_ids',
  positionIds: 'position_ids',
  logitsIndex: 'logits_index',
  pastKey: (l: number) => `past_key.${l}`,
  pastValue: (l: number) => `past_value.${l}`,
  pastBias: (l: number) => `past_bias.${l}`,
  logits: 'logits',
  newKey: (l: number) => `new_key.${l}`,
  newValue: (l: number) => `new_value.${l}`,
  queries: (l: number) => `queries.${l}`,
  attention: (l: number) => `attention.${l}`,
} as const;

/** Additive bias of an empty slot: large enough to vanish after exp, finite so fp32 never makes NaN. */
export const EMPTY_SLOT_BIAS = -1e30;
