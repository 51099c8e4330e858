export { chunkBudgets, compactCache, documentBlocks, writeCompacted, type BlockCompactor, type BlockKey, type CacheCompactionOptions, type CacheCompactionResult, type CompactionScope, type DocumentBlocks, type HeadDocument } from './compact-cache.js';
export { Recompactor, type RecompactOptions } from './recompactor.js';
export { allocateBudgets, layerSchedule, meanBudget, paddingWaste, parseHeadProfile, HEAD_CAP_FRACTION, type BudgetSpec, type PaddingReport } from './budgets.js';
export { chunkBlocks, spanSlots, type ChunkBlock, type ReferenceQueries } from './blocks.js';
export { captureRepeatQueries, prefillCapturing, DEFAULT_PREFILL_CHUNK, type RepeatPass } from './capture.js';
export { documentPrompt, repeatTurnIds, REPEAT_INSTRUCTION, type DocumentPrompt } from './document-prompt.js';
export { concatQuerySets, QueryCollector, type QueryCollectorOptions, type QuerySet, type QueryShape } from './query-collector.js';
export { chunkOf, spanChunks, DEFAULT_CHUNK_SIZE, type DocumentSpan, type SpanChunk } from './span.js';
