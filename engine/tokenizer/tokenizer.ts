import { join } from 'node:path';

import { Tokenizer } from '@huggingface/tokenizers';

import { LongreadError } from '../errors.js';
import { foreignMessage } from '../model/foreign-message.js';
import { MODEL_FILE_LIMITS } from '../model/regular-file.js';
import { chatTemplateFrom } from './chat-template.js';
import { readOptionalJsonObject, readOptionalText } from './read-model-file.js';
import { additionalSpecialTokens, specialTokenContent, type TokenizerConfig } from './tokenizer-config.js';

export interface EncodeOptions {
  /** Let the tokenizer's post-processor add its special tokens (e.g. Llama's BOS). False for rendered chat text. */
  addSpecialTokens: boolean;
}

export interface DecodeOptions {
  /** Leave out tokens marked special (BOS, EOS, `<|im_end|>`, ...). */
  skipSpecialTokens: boolean;
}

export interface TextTokenizer {
  encode(text: string, options: EncodeOptions): number[];
  /** Ids the vocabulary does not have decode to nothing, as in Hugging Face's Rust tokenizers. */
  decode(ids: readonly number[], options: DecodeOptions): string;
  /** Highest id the tokenizer knows + 1; the model's embedding table may be larger. */
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  /** Ids of the added tokens marked special, and of `additional_special_tokens`. */
  readonly specialTokenIds: ReadonlySet<number>;
  /** The chat template (string), or null for a model without one. */
  readonly chatTemplate: string | null;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
}

/**
 * Loads the tokenizer of a Hugging Face model folder: tokenizer.json (required), tokenizer_config.json (optional),
 * and the chat template from chat_template.jinja, chat_template.json or tokenizer_config.json, in that order,
 * as recent transformers versions look for it.
 */
export async function loadTokenizer(dir: string): Promise<TextTokenizer> {
  const tokenizerJson = await readOptionalJsonObject(join(dir, 'tokenizer.json'), 'TOKENIZER', MODEL_FILE_LIMITS.tokenizer);
  if (tokenizerJson === undefined) {
    throw new LongreadError('TOKENIZER', `${dir} has no tokenizer.json; Longread needs the Hugging Face "fast" tokenizer file.`);
  }
  const config = (await readOptionalJsonObject(join(dir, 'tokenizer_config.json'), 'TOKENIZER', MODEL_FILE_LIMITS.tokenizerConfig)) ?? {};
  const chatTemplate =
    (await readOptionalText(join(dir, 'chat_template.jinja'), 'TOKENIZER', MODEL_FILE_LIMITS.chatTemplate)) ??
    (await chatTemplateFromJsonFile(join(dir, 'chat_template.json'))) ??
    chatTemplateFrom(config);
  return createTokenizer(tokenizerJson, config, chatTemplate, dir);
}

async function chatTemplateFromJsonFile(path: string): Promise<string | null | undefined> {
  const json = await readOptionalJsonObject(path, 'TOKENIZER', MODEL_FILE_LIMITS.chatTemplate);
  return json === undefined ? undefined : chatTemplateFrom(json);
}

/** Builds a tokenizer from already parsed files; `source` names them in error messages. */
export function createTokenizer(
  tokenizerJson: Record<string, unknown>,
  config: TokenizerConfig = {},
  chatTemplate: string | null = null,
  source = 'tokenizer.json',
): TextTokenizer {
  if (typeof tokenizerJson.model !== 'object' || tokenizerJson.model === null) {
    throw new LongreadError('TOKENIZER', `${source}: tokenizer.json has no "model" section.`);
  }
  try {
    // The library insists these keys exist, although Hugging Face allows leaving them out.
    const hf = new Tokenizer(
      {
        added_tokens: [],
        normalizer: null,
        pre_tokenizer: null,
        post_processor: null,
        decoder: null,
        ...tokenizerJson,
      },
      config,
    );
    return new HfTextTokenizer(hf, config, chatTemplate, source);
  } catch (e) {
    if (e instanceof LongreadError) throw e;
    throw new LongreadError('TOKENIZER', `${source}: the tokenizer could not be built: ${foreignMessage(e)}`, { cause: e });
  }
}

class HfTextTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly specialTokenIds: ReadonlySet<number>;
  private readonly cleanUpSpaces: boolean;

  constructor(
    private readonly hf: Tokenizer,
    config: TokenizerConfig,
    readonly chatTemplate: string | null,
    private readonly source: string,
  ) {
    let maxId = -1;
    for (const id of hf.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.bosToken = specialTokenContent(config.bos_token, 'bos_token');
    this.eosToken = specialTokenContent(config.eos_token, 'eos_token');
    this.bosTokenId = this.requiredId(this.bosToken, 'bos_token');
    this.eosTokenId = this.requiredId(this.eosToken, 'eos_token');
    const special = new Set<number>();
    for (const [id, token] of hf.get_added_tokens_decoder()) if (token.special) special.add(id);
    for (const token of additionalSpecialTokens(config)) special.add(this.requiredId(token, 'additional_special_tokens')!);
    this.specialTokenIds = special;
    // The library defaults to cleaning up (" ." → "."), which breaks decode(a + b) = decode(a) + decode(b) that
    // streaming relies on; transformers no longer defaults to it either, so only an explicit `true` turns it on.
    this.cleanUpSpaces = config.clean_up_tokenization_spaces === true;
  }

  private requiredId(token: string | null, field: string): number | null {
    if (token === null) return null;
    const id = this.hf.token_to_id(token);
    if (id === undefined) {
      throw new LongreadError('TOKENIZER', `${this.source}: tokenizer_config.json names ${JSON.stringify(token)} as ${field}, but the vocabulary has no such token.`);
    }
    return id;
  }

  encode(text: string, options: EncodeOptions): number[] {
    try {
      return this.hf.encode(text, { add_special_tokens: options.addSpecialTokens }).ids;
    } catch (e) {
      throw new LongreadError('TOKENIZER', `${this.source}: the tokenizer failed on a text of ${text.length} characters: ${foreignMessage(e)}`, { cause: e });
    }
  }

  decode(ids: readonly number[], options: DecodeOptions): string {
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0) {
        throw new LongreadError('TOKENIZER', `Cannot decode token id ${id}: ids are non-negative integers.`);
      }
    }
    const known = ids.filter((id) => this.hf.id_to_token(id) !== undefined);
    // The library throws on an empty list instead of returning "".
    if (known.length === 0) return '';
    try {
      return this.hf.decode(known, {
        skip_special_tokens: options.skipSpecialTokens,
        clean_up_tokenization_spaces: this.cleanUpSpaces,
      });
    } catch (e) {
      throw new LongreadError('TOKENIZER', `${this.source}: the tokenizer failed to decode ${known.length} token(s): ${foreignMessage(e)}`, { cause: e });
    }
  }

  tokenToId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.hf.id_to_token(id);
  }
}
