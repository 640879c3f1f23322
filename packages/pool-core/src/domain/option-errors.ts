import type { z } from "zod";
import { InvalidOptions } from "./errors.js";

/**
 * Validation messages we write ourselves, e.g. `options.slots must be an integer ≥ 1 (got 0)` and
 * `unknown option options.slot (did you mean options.slots?)`, instead of zod's.
 */

type Issue = z.core.$ZodRawIssue;

/** What the value should have been, as the end of "<field> must be …". Used as zod's per-parse error map. */
export function expectation(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return describeType(String(issue.expected));
    case "too_small":
    case "too_big":
      return describeBound(issue);
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union": {
      // The branch that got furthest (not a plain type mismatch) says best what was wrong.
      const branches = issue.errors ?? [];
      const input = issue.input;
      const closer = branches
        .flat()
        .find((i) => i.code !== "invalid_type" || (i.expected === "int" && typeof input === "number"));
      if (closer) return closer.message;
      return [...new Set(branches.flat().map((i) => i.message))].join(" or ");
    }
    case "invalid_format":
      return `a valid ${String(issue.format)}`;
    default:
      return "valid";
  }
}

function describeType(expected: string): string {
  switch (expected) {
    case "int":
      return "an integer";
    case "number":
      return "a number";
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
    case "record":
      return "an object";
    default:
      return expected;
  }
}

function describeBound(issue: Extract<Issue, { code: "too_small" | "too_big" }>): string {
  const small = issue.code === "too_small";
  const limit = Number(small ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case "number":
    case "int":
    case "bigint": {
      const kind =
        issue.origin === "int" || isIntegerSchema(dig(issue, ["schema"])) ? "an integer" : "a number";
      const op = small ? (inclusive ? "≥" : ">") : inclusive ? "≤" : "<";
      return `${kind} ${op} ${limit}`;
    }
    case "string":
      if (small && limit === 1) return "a non-empty string";
      return `a string of ${small ? "at least" : "at most"} ${limit} characters`;
    case "array":
      return `a list of ${small ? "at least" : "at most"} ${limit} item${limit === 1 ? "" : "s"}`;
    default:
      return `${small ? "at least" : "at most"} ${limit}`;
  }
}

/** Whether a zod number schema carries `.int()` (its checks hold a `safeint` format). */
function isIntegerSchema(inst: unknown): boolean {
  const checks = dig(inst, ["_zod", "def", "checks"]);
  if (!Array.isArray(checks)) return false;
  return checks.some((c) => (dig(c, ["_zod", "def", "format"]) ?? dig(c, ["def", "format"])) === "safeint");
}

function dig(value: unknown, keys: string[]): unknown {
  let v = value;
  for (const k of keys)
    v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** The known option closest to a mistyped one (edit distance ≤ 2, or one contains the other). */
export function closestKey(typo: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const key of known) {
    const d = distance(typo.toLowerCase(), key.toLowerCase());
    if (d < bestDistance) {
      best = key;
      bestDistance = d;
    }
  }
  if (best === null) return null;
  const contains =
    best.toLowerCase().includes(typo.toLowerCase()) || typo.toLowerCase().includes(best.toLowerCase());
  return bestDistance <= 2 || (contains && typo.length >= 3) ? best : null;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = above;
    }
  }
  return row[b.length] ?? 0;
}

/**
 * Parses with zod; the first problem becomes an InvalidOptions in our words. Unknown keys come
 * first (a typo is the likeliest cause of every other problem), each with a suggestion when close.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, root: string): z.output<S> {
  const r = schema.safeParse(input, { error: (issue) => expectation(issue) });
  if (r.success) return r.data;
  const issues = r.error.issues;
  const unknown = issues.find((i) => i.code === "unrecognized_keys");
  if (unknown && unknown.code === "unrecognized_keys") {
    const at = [root, ...unknown.path.map(String)];
    const known = Object.keys(shapeAt(schema, unknown.path) ?? {});
    const names = unknown.keys.map((key) => {
      const near = closestKey(key, known);
      return `${[...at, key].join(".")}${near ? ` (did you mean ${[...at, near].join(".")}?)` : ""}`;
    });
    const field = [...at, unknown.keys[0] ?? ""].join(".");
    throw new InvalidOptions(field, valueAt(input, unknown.path), "", `unknown option ${names.join(", ")}`);
  }
  const issue = issues[0];
  if (!issue) throw new InvalidOptions(root, input, "valid options");
  const field = [root, ...issue.path.map(String)].join(".");
  throw new InvalidOptions(field, valueAt(input, issue.path), issue.message);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    value =
      typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return value;
}

/** The object shape (its known keys) at `path` in a schema, through defaults, optionals and unions. */
function shapeAt(schema: unknown, path: readonly PropertyKey[]): Record<string, unknown> | null {
  let s: unknown = unwrap(schema);
  for (const key of path) {
    const shape = dig(s, ["_zod", "def", "shape"]);
    if (typeof shape === "object" && shape !== null && typeof key === "string") {
      s = unwrap((shape as Record<string, unknown>)[key]);
      continue;
    }
    const element = dig(s, ["_zod", "def", "element"]);
    if (element !== undefined) {
      s = unwrap(element);
      continue;
    }
    return null;
  }
  const shape = dig(s, ["_zod", "def", "shape"]);
  return typeof shape === "object" && shape !== null ? (shape as Record<string, unknown>) : null;
}

function unwrap(schema: unknown): unknown {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    const inner = dig(s, ["_zod", "def", "innerType"]);
    if (inner !== undefined) {
      s = inner;
      continue;
    }
    // A union of an object and something else (e.g. `worktree: boolean | { baseDir }`): the object.
    const options = dig(s, ["_zod", "def", "options"]);
    if (Array.isArray(options)) {
      const withShape = options.find((o) => dig(o, ["_zod", "def", "shape"]) !== undefined);
      const withElement = options.find((o) => dig(o, ["_zod", "def", "element"]) !== undefined);
      s = withShape ?? withElement ?? s;
      if (withShape || withElement) continue;
    }
    break;
  }
  return s;
}
