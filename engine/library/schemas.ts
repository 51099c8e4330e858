import { z } from 'zod';
import { ID_PATTERN, isValidId } from './ids.js';
import type { Conversation, DocumentRecord, LibrarySettings } from './types.js';

/**
 * Zod schemas of the current schema version of every library file. Files are validated with them when read (after
 * migration) and values are validated with them before they are written.
 */

const id = z.string().regex(ID_PATTERN).refine(isValidId, 'is a name Windows reserves');
const timestamp = z.iso.datetime({ offset: true });
const ratio = z.number().gt(0).lte(1);

/** A plain file name inside a document folder: no folders, no way out of it. */
const fileName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^/\\:*?"<>|\0]+$/, 'must be a plain file name')
  .refine((n) => n !== '.' && n !== '..', 'must be a plain file name');

export const documentRecordSchema: z.ZodType<DocumentRecord> = z.object({
  id,
  state: z.enum(['reading', 'ready']),
  name: z.string(),
  title: z.string(),
  format: z.enum(['txt', 'md', 'pdf', 'docx', 'html']),
  fileFingerprint: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in lowercase hex'),
  fileBytes: z.number().int().nonnegative(),
  tokenCount: z.number().int().nonnegative(),
  modelFingerprint: z.string().min(1),
  modelName: z.string(),
  method: z.string().min(1),
  ratio,
  createdAt: timestamp,
  updatedAt: timestamp,
  files: z.record(z.string().min(1), fileName),
});

const sourceSpanSchema = z
  .object({
    start: z.number().int().nonnegative(),
    end: z.number().int().nonnegative(),
    label: z.string().optional(),
    weight: z.number().finite(),
  })
  .refine((s) => s.end >= s.start, 'end must not be before start');

const conversationTurnSchema = z.object({
  role: z.enum(['user', 'assistant']),
  text: z.string(),
  sources: z.array(z.array(sourceSpanSchema)).optional(),
  /** A user turn that was a Summarize request rather than a question. */
  kind: z.enum(['ask', 'summarize']).optional(),
  createdAt: timestamp,
});

export const conversationSchema: z.ZodType<Conversation> = z.object({
  id,
  documentId: id,
  title: z.string(),
  turns: z.array(conversationTurnSchema),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** One schema per setting, so a bad value in library.json costs only that setting. */
export const settingSchemas = {
  device: z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']),
  threads: z.number().int().min(0).max(1024),
  defaultMethod: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'must be a compaction method name such as "am"'),
  defaultRatio: ratio,
  kvBudgetBytes: z.number().int().min(1024 * 1024).max(Number.MAX_SAFE_INTEGER),
  theme: z.enum(['system', 'light', 'dark']),
} satisfies { [K in keyof LibrarySettings]: z.ZodType<LibrarySettings[K]> };

export const librarySettingsSchema: z.ZodType<LibrarySettings> = z.strictObject(settingSchemas);

export const DEFAULT_SETTINGS: Readonly<LibrarySettings> = Object.freeze({
  device: 'auto',
  threads: 0,
  defaultMethod: 'am',
  defaultRatio: 0.2,
  kvBudgetBytes: 2 * 1024 ** 3,
  theme: 'system',
});

/** "turns.0.createdAt: Invalid ISO datetime; ratio: Too big" — short enough for an error message. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'value'}: ${i.message}`)
    .join('; ');
}
