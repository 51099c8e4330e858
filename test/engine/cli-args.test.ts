import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../engine/cli/args.js';

describe('one option parser for every command', () => {
  it('keeps a stop string whole, commas included, and takes one per occurrence', () => {
    expect(parseFlags(['--stop', 'a, b', '--stop', 'END'], { stop: 'texts' })).toEqual({ stop: ['a, b', 'END'] });
    expect(parseFlags(['--stop=x,y'], { stop: 'texts' })).toEqual({ stop: ['x,y'] });
  });

  it('splits word lists on commas and takes the words that follow', () => {
    expect(parseFlags(['--ratios', '0.5,0.2', '0.1', '--json'], { ratios: 'list', json: 'boolean' })).toEqual({ ratios: ['0.5', '0.2', '0.1'], json: true });
  });

  it('collects positionals where a command takes them, and then a list takes one value per occurrence', () => {
    expect(parseFlags(['--doc', 'a.txt', '--stop', 'END', 'the question'], { doc: 'string', stop: 'texts' }, { positionals: true })).toEqual({
      doc: 'a.txt',
      stop: ['END'],
      _: ['the question'],
    });
  });

  it.each([
    [['--nope'], /Unknown option '--nope'.*Known options: --model/],
    [['--model'], /argument missing/],
    [['stray'], /Unexpected argument "stray"/],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parseFlags(argv, { model: 'string' })).toThrow(message);
  });

  it('answers -h and --help for every command, serve included', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    for (const args of [['serve', '--help'], ['ask', '-h'], ['generate', '-h']]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^longread ${args[0]}`));
    }
  });
});
