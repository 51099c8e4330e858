import { LongreadError } from '../errors.js';

/** The fields of Hugging Face's tokenizer_config.json that Longread reads; everything else passes through untouched. */
export interface TokenizerConfig {
  bos_token?: unknown;
  eos_token?: unknown;
  additional_special_tokens?: unknown;
  clean_up_tokenization_spaces?: unknown;
  chat_template?: unknown;
  [key: string]: unknown;
}

/**
 * A special token in tokenizer_config.json is a plain string, an AddedToken-like object `{content: ...}`
 * (older files also carry `"__type": "AddedToken"`), or null when the model has none.
 */
export function specialTokenContent(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  throw new LongreadError('TOKENIZER', `tokenizer_config.json: "${field}" must be a string or an object with a "content" string.`);
}

/** `additional_special_tokens` entries, which may be strings or `{content}` objects like the single special tokens. */
export function additionalSpecialTokens(config: TokenizerConfig): string[] {
  const list = config.additional_special_tokens;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    throw new LongreadError('TOKENIZER', 'tokenizer_config.json: "additional_special_tokens" must be a list.');
  }
  return list.map((entry, i) => specialTokenContent(entry, `additional_special_tokens[${i}]`) ?? '').filter((s) => s !== '');
}
