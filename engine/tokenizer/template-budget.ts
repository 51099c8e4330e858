import { type Environment, Interpreter } from '@huggingface/jinja';

import { LongreadError } from '../errors.js';

export interface TemplateBudget {
  /** Evaluation steps (one per node of the template evaluated, loop bodies counted on every pass). */
  maxSteps: number;
  /** Wall-clock time, for steps that are slow (the interpreter's loops cost several microseconds per pass). */
  maxMs: number;
  /** Length of any one string the template produces, the rendered prompt included. */
  maxChars: number;
  /**
   * Characters of all strings produced, added up. Each output character is counted once per enclosing block, so
   * this is a multiple of maxChars; it stops a loop that keeps appending long before memory runs out.
   */
  maxCharsProduced: number;
  /** Length of any one list (range() included). */
  maxItems: number;
}

/** Real templates take about 50 steps per message, so this fits conversations of thousands of messages. */
const MAX_STEPS = 250_000;
/** Real templates render in milliseconds. */
const MAX_MS = 2000;
const BASE_CHARS = 1 << 20;
const MAX_ITEMS = 100_000;

/**
 * The budget for rendering a conversation whose inputs (message contents and extra strings) add up to `inputChars`:
 * the prompt may be a few times its input (templates wrap and sometimes repeat it) plus 1 MiB of scaffolding.
 */
export function templateBudget(inputChars: number): TemplateBudget {
  const maxChars = BASE_CHARS + 4 * inputChars;
  // Qwen3's template produces about 8 characters per input character, counting every enclosing block.
  return { maxSteps: MAX_STEPS, maxMs: MAX_MS, maxChars, maxCharsProduced: 16 * maxChars, maxItems: MAX_ITEMS };
}

function overBudget(what: string): LongreadError {
  return new LongreadError('TOKENIZER', `The chat template was stopped: it ${what}. A real chat template never does; this one is damaged or hostile.`);
}

/** What the interpreter hands back for each node. */
interface RuntimeValue {
  value: unknown;
}

/** The part of the package's Interpreter used here (its declaration files do not resolve under NodeNext). */
interface JinjaInterpreter {
  run(program: unknown): RuntimeValue;
  evaluate(statement: unknown, environment: Environment): RuntimeValue;
}
const InterpreterBase = Interpreter as unknown as new (env: Environment) => JinjaInterpreter;

/** An Interpreter that counts its steps and refuses strings and lists larger than the budget. */
export class BudgetedInterpreter extends InterpreterBase {
  private steps = 0;
  private charsProduced = 0;
  private readonly started = performance.now();

  constructor(
    env: Environment,
    private readonly budget: TemplateBudget,
  ) {
    super(env);
  }

  // Every node the interpreter evaluates, loop bodies and macro calls included, comes through here.
  override evaluate(statement: unknown, environment: Environment): RuntimeValue {
    if (++this.steps > this.budget.maxSteps) throw overBudget(`took more than ${this.budget.maxSteps} steps`);
    if (this.steps % 256 === 0 && performance.now() - this.started > this.budget.maxMs) {
      throw overBudget(`ran for more than ${this.budget.maxMs} ms`);
    }
    const result = super.evaluate(statement, environment);
    const value: unknown = result.value;
    if (typeof value === 'string') {
      this.charsProduced += value.length;
      if (value.length > this.budget.maxChars) throw overBudget(`produced a string of more than ${this.budget.maxChars} characters`);
      if (this.charsProduced > this.budget.maxCharsProduced) throw overBudget(`produced more than ${this.budget.maxCharsProduced} characters in all`);
    } else if (Array.isArray(value) && value.length > this.budget.maxItems) {
      throw overBudget(`built a list of more than ${this.budget.maxItems} items`);
    }
    return result;
  }

  render(program: unknown): string {
    return String(this.run(program).value);
  }
}

/** Python's range(), refusing to build more than `maxItems` numbers. */
export function boundedRange(maxItems: number): (a: number, b?: number, step?: number) => number[] {
  return (a, b, step = 1) => {
    const [start, stop] = b === undefined ? [0, a] : [a, b];
    if (step === 0) throw new Error('range() step must not be zero');
    const count = Math.max(0, Math.ceil((stop - start) / step));
    if (!(count <= maxItems)) throw overBudget(`asked range() for ${count} numbers, more than ${maxItems}`);
    return Array.from({ length: count }, (_, i) => start + i * step);
  };
}
