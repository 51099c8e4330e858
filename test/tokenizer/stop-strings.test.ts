import { describe, expect, it } from 'vitest';

import { StopStringMatcher } from '../../engine/tokenizer/stop-strings.js';

/** Pushes every delta; returns what was emitted (plus the flush if not stopped) and whether it stopped. */
function run(stops: string[], deltas: string[]): { text: string; stopped: boolean; emits: string[] } {
  const matcher = new StopStringMatcher(stops);
  const emits: string[] = [];
  for (const delta of deltas) {
    const r = matcher.push(delta);
    emits.push(r.emit);
    if (r.stopped) return { text: emits.join(''), stopped: true, emits };
  }
  emits.push(matcher.flush());
  return { text: emits.join(''), stopped: false, emits };
}

describe('StopStringMatcher', () => {
  it('passes text through untouched when nothing looks like a stop string', () => {
    expect(run(['User:'], ['Hello', ' there', '.'])).toEqual({ text: 'Hello there.', stopped: false, emits: ['Hello', ' there', '.', ''] });
  });

  it('stops on a stop string inside one delta and emits only what comes before it', () => {
    expect(run(['\n\n'], ['The end.\n\nMore'])).toMatchObject({ text: 'The end.', stopped: true });
  });

  it('finds a stop string split across deltas, holding its start back meanwhile', () => {
    const r = run(['User:'], ['Answer.', ' Us', 'e', 'r: next']);
    expect(r).toMatchObject({ text: 'Answer. ', stopped: true });
    expect(r.emits).toEqual(['Answer.', ' ', '', '']);
  });

  it('releases a held prefix once it turns out not to be a stop string', () => {
    const r = run(['User:'], ['Use', 'ful', ' tip']);
    expect(r).toEqual({ text: 'Useful tip', stopped: false, emits: ['', 'Useful', ' tip', ''] });
  });

  it('releases the held prefix on flush when the stream ends', () => {
    expect(run(['</answer>'], ['42 </ans'])).toEqual({ text: '42 </ans', stopped: false, emits: ['42 ', '</ans'] });
  });

  it('keeps a shorter candidate when a longer one fails ("UsUser:")', () => {
    expect(run(['User:'], ['Us', 'User:'])).toMatchObject({ text: 'Us', stopped: true });
  });

  it('stops at whichever of several stop strings comes first', () => {
    expect(run(['<|im_end|>', '\nUser', 'END'], ['a END b <|im_end|>'])).toMatchObject({ text: 'a ', stopped: true });
    expect(run(['<|im_end|>', '\nUser'], ['one\nUs', 'er said'])).toMatchObject({ text: 'one', stopped: true });
    expect(run(['abc', 'bcd'], ['xab', 'cd'])).toMatchObject({ text: 'x', stopped: true });
  });

  it('emits nothing after stopping', () => {
    const matcher = new StopStringMatcher(['STOP']);
    expect(matcher.push('goSTOP')).toEqual({ emit: 'go', stopped: true });
    expect(matcher.push('more')).toEqual({ emit: '', stopped: true });
    expect(matcher.flush()).toBe('');
  });

  it('with no stop strings emits everything, and refuses an empty stop string', () => {
    expect(run([], ['a', 'b'])).toEqual({ text: 'ab', stopped: false, emits: ['a', 'b', ''] });
    expect(() => new StopStringMatcher(['x', ''])).toThrow(/must not be empty/);
  });
});
