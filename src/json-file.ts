import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { fromSystemError, K4sError, type ErrorCode } from './errors.js';

/**
 * Every JSON file a user hands k4sync (rig.json, plan.json, the audit config, take.json, audit.json) is read and
 * validated here, and every problem is said the same way: the field, what was expected, what arrived
 * ("sensors[2].syncIn must be a serial or null, got the number 3"), as sharp's invalidParameterError does.
 */

export interface JsonFileOptions {
  /** The code thrown when the file is not valid JSON or not of the schema's shape. */
  code: ErrorCode;
  /** What the whole document is called in a sentence ("the rig", "the audit result"). */
  subject: string;
  /** Where the shape is documented, named when a field is unknown. */
  docs?: string;
  /**
   * The schema's messages are phrases that follow "must be" (rig.json's schema carries one per field); otherwise
   * the sentence is built from zod's issue data.
   */
  phrases?: boolean;
}

/** What arrived, in words. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** A zod path as a reader writes it: `sensors[2].syncIn`. */
export function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

const ARTICLE = (w: string) => (/^[aeiou]/.test(w) ? `an ${w}` : `a ${w}`);

/** What the schema expected, from zod's own issue data (for schemas without phrases). */
function expected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return ARTICLE(issue.expected);
    case 'invalid_value':
      return issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array' ? `a list of at least ${String(issue.minimum)}` : issue.origin === 'string' ? `at least ${String(issue.minimum)} characters` : `${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'array' ? `a list of at most ${String(issue.maximum)}` : issue.origin === 'string' ? `at most ${String(issue.maximum)} characters` : `${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'regex' && issue.pattern ? `a string matching ${issue.pattern}` : `a ${issue.format} string`;
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    case 'invalid_union': {
      // zod's own message does not follow "must be": a discriminated union lists the discriminator's values, a union
      // of values ("a number or a string") what each option expected of the value itself.
      if ('options' in issue && issue.options?.length) return `one of ${issue.options.map((v) => JSON.stringify(v)).join(', ')}`;
      const options = issue.errors.map((branch) => (branch.length === 1 && branch[0]!.path.length === 0 ? expected(branch[0]!) : null));
      if (options.length === 0 || options.includes(null)) return 'of one of the accepted forms';
      return `${options.slice(0, -1).join(', ')} or ${options.at(-1)!}`;
    }
    default:
      return issue.message;
  }
}

function sentences(issue: z.core.$ZodIssue, opts: JsonFileOptions): { field: string; text: string }[] {
  const field = fieldName(issue.path);
  const subject = field === '' ? opts.subject : field;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const f = fieldName([...issue.path, key]);
      return { field: f, text: `${f} is not a known field${opts.docs ? ` (see ${opts.docs})` : ''}` };
    });
  }
  if (issue.code === 'custom') return [{ field, text: `${subject} ${issue.message}` }];
  // A failed discriminator is reported on the discriminating field but carries the whole object as input.
  const discriminated = issue.code === 'invalid_union' && issue.discriminator !== undefined;
  const input = discriminated && typeof issue.input === 'object' && issue.input !== null
    ? (issue.input as Record<string, unknown>)[issue.discriminator!]
    : issue.input;
  const got = input === undefined ? 'but it is missing' : `got ${describeValue(input)}`;
  return [{ field, text: `${subject} must be ${opts.phrases ? issue.message : expected(issue)}, ${got}` }];
}

/** Validates parsed JSON; throws one K4sError naming every faulty field (the first one in `field`). */
export function validate<S extends z.ZodType>(schema: S, input: unknown, source: string, opts: JsonFileOptions): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const found = new Map<string, string>();
  // zod may report one value twice (an integer beyond the safe range is also beyond the maximum): keep one.
  for (const s of result.error.issues.flatMap((i) => sentences(i, opts))) if (!found.has(s.field)) found.set(s.field, s.text);
  const [field = ''] = found.keys();
  throw new JsonFileError(opts.code, `${source}: ${[...found.values()].join('; ')}`, field);
}

/** A JSON document that is malformed or of the wrong shape; `field` is the first faulty one ('' for the whole). */
export class JsonFileError extends K4sError {
  constructor(code: ErrorCode, message: string, readonly field: string) {
    super(code, message);
  }
}

/** Parses JSON text, saying where it breaks as line and column. A byte order mark (Windows editors) is allowed. */
export function parseJson(text: string, source: string, code: ErrorCode): unknown {
  const clean = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(clean);
  } catch (e) {
    const position = jsonErrorPosition(clean);
    const before = clean.slice(0, position).split('\n');
    const where = `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
    // V8 appends the position, or a copy of the text, to its reason: both are said better by `where`.
    const reason = (e as Error).message
      .replace(/( in JSON)? at position \d+.*$|, (\.\.\.)?".*" is not valid JSON$/s, '')
      .replace(/[\n\r\t]/g, (c) => JSON.stringify(c).slice(1, -1));
    throw new JsonFileError(code, `${source} is not valid JSON at ${where} (character ${position}): ${reason}`, '');
  }
}

/** Reads, parses and validates a JSON file a user gave; every failure is a K4sError naming the path. */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S, opts: JsonFileOptions): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw fromSystemError(e, path, 'read');
  }
  return validate(schema, parseJson(text, path, opts.code), path, opts);
}

// V8 leaves the position out of some messages ("Unexpected token 'x', ... is not valid JSON"). JSON is read
// left to right, so a fault at i makes every prefix longer than i fail before its end, and no shorter one:
// the shortest such prefix is found by bisection.
function jsonErrorPosition(text: string): number {
  const failsInside = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (e) {
      const message = (e as Error).message;
      const at = /at position (\d+)/.exec(message);
      if (at) return Number(at[1]) < length;
      return !message.startsWith('Unexpected end of JSON input');
    }
  };
  let lo = 0;
  let hi = text.length;
  if (!failsInside(hi)) return text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsInside(mid + 1)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
