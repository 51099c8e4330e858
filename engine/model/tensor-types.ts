/** Storage dtypes we read from safetensors. Everything is converted to float32 on the way in. */
export type StorageDType = 'F32' | 'F16' | 'BF16';

export const SUPPORTED_DTYPES: readonly StorageDType[] = ['F32', 'F16', 'BF16'];

/** Where one tensor lives on disk. Offsets are absolute within `file`. */
export interface TensorInfo {
  name: string;
  dtype: StorageDType;
  shape: number[];
  file: string;
  byteOffset: number;
  byteLength: number;
}

/**
 * Read access to the tensors of a checkpoint, one tensor at a time, so a multi-GB model is never held twice.
 * Implemented by the safetensors checkpoint reader; also easy to fake in tests with in-memory arrays.
 */
export interface TensorSource {
  has(name: string): boolean;
  info(name: string): TensorInfo;
  names(): string[];
  /** Reads and converts one tensor to float32 (a fresh array the caller owns). */
  readF32(name: string): Float32Array;
}
