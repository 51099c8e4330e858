import { LongreadError } from '../../errors.js';
import type { ModelFamily, ModelSpec } from '../spec.js';
import { llamaFamily } from './llama.js';
import { mistralFamily } from './mistral.js';
import { qwen2Family } from './qwen2.js';
import { qwen3Family } from './qwen3.js';

export const FAMILIES: readonly ModelFamily[] = [llamaFamily, mistralFamily, qwen2Family, qwen3Family];

export function supportedArchitectures(): string[] {
  return FAMILIES.flatMap((f) => f.architectures);
}

export function familyFor(config: Record<string, unknown>): ModelFamily {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new LongreadError('BAD_CONFIG', 'config.json must hold a JSON object.');
  }
  const archs = config.architectures;
  const arch = Array.isArray(archs) && typeof archs[0] === 'string' ? archs[0] : undefined;
  if (!arch) {
    throw new LongreadError('BAD_CONFIG', `config.json has no "architectures" entry; supported: ${supportedArchitectures().join(', ')}`);
  }
  const family = FAMILIES.find((f) => f.architectures.includes(arch));
  if (!family) {
    throw new LongreadError(
      'UNSUPPORTED_ARCHITECTURE',
      `Architecture "${arch}" is not supported. Supported architectures: ${supportedArchitectures().join(', ')}.`,
    );
  }
  return family;
}

export function specFromConfig(config: Record<string, unknown>): { family: ModelFamily; spec: ModelSpec } {
  const family = familyFor(config);
  return { family, spec: family.parseConfig(config) };
}
