import type { BetaMode, BetaSolver } from '../compaction/beta.js';
import type { ValuesMode } from '../compaction/fit.js';
import { createMethod, isMethodName, METHOD_NAMES, type MethodName } from '../compaction/registry.js';
import type { CompactionMethod } from '../compaction/types.js';
import { LongreadError } from '../errors.js';

/**
 * Which reference queries a method is given: the document's own, its repeat pass, both pooled, or the queries of
 * what the model writes about the document (self-study; generated only when a method asks for it).
 */
export type QuerySource = 'context' | 'repeat' | 'both' | 'self-study';
export const QUERY_SOURCES: readonly QuerySource[] = ['context', 'repeat', 'both', 'self-study'];
/** The sources `amGrid` crosses (self-study costs a generation per document, so it is asked for by name). */
export const GRID_QUERY_SOURCES: readonly QuerySource[] = ['context', 'repeat', 'both'];

/** One method with its options, as named on the command line: `am:solver=bounded:beta=per-head:values=fit:queries=repeat`. */
export interface MethodConfig {
  label: string;
  method: MethodName;
  betaSolver?: BetaSolver;
  betaMode?: BetaMode;
  values?: ValuesMode;
  queries: QuerySource;
  /** Slots at the end of the span always kept (default DEFAULT_RECENT_WINDOW). */
  recentWindow?: number;
  /** am-omp only: share of the budget seeded by highest attention (default DEFAULT_SEED_FRACTION). */
  seedFraction?: number;
}

/**
 * The default Attention Matching variant, chosen from the stories260K measurements (docs/compaction-results.md):
 * one β per head, fitted values, the document's own queries pooled with its repeat queries.
 */
export const DEFAULT_AM: Omit<MethodConfig, 'label' | 'method'> = { betaSolver: 'bounded', betaMode: 'per-head', values: 'fit', queries: 'both' };

/**
 * AM-OMP keeps its per-slot weights (the greedy refits fit them) and, like am, pools the document's own queries with
 * its repeat queries: with repeat queries alone it had about 15× am's KL at 0.5 on held-out stories, pooled it was the
 * best method at mild ratios (docs/compaction-results.md).
 */
export const DEFAULT_AM_OMP: Omit<MethodConfig, 'label' | 'method'> = { betaSolver: 'bounded', betaMode: 'per-slot', values: 'fit', queries: 'both' };

const SOLVERS: readonly BetaSolver[] = ['bounded', 'clamped-ls'];
const BETA_MODES: readonly BetaMode[] = ['per-slot', 'per-head', 'off'];
const VALUE_MODES: readonly ValuesMode[] = ['fit', 'copy'];

function bad(message: string): never {
  throw new LongreadError('BAD_ARGUMENT', message);
}

function pick<T extends string>(value: string, choices: readonly T[], what: string): T {
  if (!choices.includes(value as T)) bad(`${what} must be one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

function isAm(m: MethodName): boolean {
  return m === 'am' || m === 'am-omp';
}

export function labelOf(c: Omit<MethodConfig, 'label'>): string {
  if (!isAm(c.method)) return c.queries === 'context' ? c.method : `${c.method}:queries=${c.queries}`;
  const parts: string[] = [c.method];
  if (c.betaMode === 'per-slot') parts.push(`solver=${c.betaSolver}`);
  parts.push(`beta=${c.betaMode}`, `values=${c.values}`, `queries=${c.queries}`);
  if (c.recentWindow !== undefined) parts.push(`window=${c.recentWindow}`);
  if (c.seedFraction !== undefined) parts.push(`seeds=${c.seedFraction}`);
  return parts.join(':');
}

/** Parses `name[:key=value...]`; AM options default to DEFAULT_AM, baselines use the document's own queries. */
export function parseMethodConfig(spec: string): MethodConfig {
  const [name, ...pairs] = spec.split(':');
  if (!isMethodName(name)) bad(`unknown compaction method "${name}"; known: ${METHOD_NAMES.join(', ')}`);
  const defaults = name === 'am' ? DEFAULT_AM : name === 'am-omp' ? DEFAULT_AM_OMP : { queries: 'context' as const };
  const c: Omit<MethodConfig, 'label'> = { method: name, ...defaults };
  for (const pair of pairs) {
    const [key, value] = pair.split('=');
    if (value === undefined) bad(`method option "${pair}" must look like key=value`);
    if (key === 'queries') c.queries = pick(value, QUERY_SOURCES, 'queries');
    else if (!isAm(name)) bad(`${name} takes no option "${key}" (only queries=...)`);
    else if (key === 'solver') c.betaSolver = pick(value, SOLVERS, 'solver');
    else if (key === 'beta') c.betaMode = pick(value, BETA_MODES, 'beta');
    else if (key === 'values') c.values = pick(value, VALUE_MODES, 'values');
    else if (key === 'window') c.recentWindow = windowSize(value);
    else if (key === 'seeds' && name === 'am-omp') c.seedFraction = seedShare(value);
    else bad(`unknown option "${key}" for ${name}; known: solver, beta, values, queries, window${name === 'am-omp' ? ', seeds' : ''}`);
  }
  return { ...c, label: labelOf(c) };
}

function seedShare(value: string): number {
  const f = Number(value);
  if (!(f >= 0 && f <= 1)) bad(`seeds must be a share of the budget from 0 to 1, got "${value}"`);
  return f;
}

function windowSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) bad(`window must be a whole number of slots ≥ 0, got "${value}"`);
  return n;
}

/** Every distinct AM option combination (the solver only matters with per-slot β). */
export function amGrid(method: 'am' | 'am-omp' = 'am'): MethodConfig[] {
  const out: MethodConfig[] = [];
  for (const queries of GRID_QUERY_SOURCES) {
    for (const values of VALUE_MODES) {
      for (const betaMode of BETA_MODES) {
        for (const betaSolver of betaMode === 'per-slot' ? SOLVERS : [SOLVERS[0]]) {
          const c = { method, betaSolver, betaMode, values, queries };
          out.push({ ...c, label: labelOf(c) });
        }
      }
    }
  }
  return out;
}

export function instantiate(c: MethodConfig, seed = 0): CompactionMethod {
  if (c.method === 'am') return createMethod('am', { betaSolver: c.betaSolver, betaMode: c.betaMode, values: c.values, recentWindow: c.recentWindow });
  if (c.method === 'am-omp') {
    return createMethod('am-omp', { betaSolver: c.betaSolver, betaMode: c.betaMode, values: c.values, recentWindow: c.recentWindow, seedFraction: c.seedFraction });
  }
  if (c.method === 'random') return createMethod('random', { seed });
  return createMethod(c.method);
}
