import { LongreadError } from '../errors.js';

export interface StopStringResult {
  /** Text that is safe to show: it cannot be part of a stop string. */
  emit: string;
  /** A stop string was found; `emit` holds the text before it and generation should end. */
  stopped: boolean;
}

/**
 * Watches streamed text for stop strings. Text that might be the start of a stop string is held back until the
 * next delta shows whether it is; a stop string itself is never emitted, nor anything after it.
 */
export class StopStringMatcher {
  private readonly stops: readonly string[];
  private held = '';
  private stopped = false;

  constructor(stopStrings: readonly string[]) {
    if (stopStrings.some((s) => s.length === 0)) {
      throw new LongreadError('BAD_ARGUMENT', 'A stop string must not be empty.');
    }
    this.stops = [...stopStrings];
  }

  push(delta: string): StopStringResult {
    if (this.stopped) return { emit: '', stopped: true };
    const text = this.held + delta;
    const stopAt = this.firstStopIndex(text);
    if (stopAt !== -1) {
      this.stopped = true;
      this.held = '';
      return { emit: text.slice(0, stopAt), stopped: true };
    }
    const keep = this.longestPossibleStopStart(text);
    this.held = text.slice(text.length - keep);
    return { emit: text.slice(0, text.length - keep), stopped: false };
  }

  /** At the end of generation: the held-back text, which turned out not to be a stop string. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  private firstStopIndex(text: string): number {
    let first = -1;
    for (const stop of this.stops) {
      const at = text.indexOf(stop);
      if (at !== -1 && (first === -1 || at < first)) first = at;
    }
    return first;
  }

  /** Length of the longest suffix of `text` that is a proper prefix of some stop string. */
  private longestPossibleStopStart(text: string): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
        if (text.endsWith(stop.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}
