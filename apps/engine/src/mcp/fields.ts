import { z } from "zod";

/**
 * Zod builders for MCP tool inputs whose errors are in our words. The SDK appends the field's
 * path (`… at steps.0.value`), so each message says what was expected and what came.
 */

/** "the number 42", "an empty string", "null", "an object"… for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case "string":
      return value === "" ? "an empty string" : `the string ${JSON.stringify(truncate(value, 60))}`;
    case "number":
    case "bigint":
      return `the number ${String(value)}`;
    case "boolean":
      return `the boolean ${String(value)}`;
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

type Issue = { input?: unknown; code?: string; keys?: string[] };

/** An error function for one expectation: "is required (a string)" or "must be a string, not the number 3". */
export function expecting(what: string) {
  return (issue: Issue): string => {
    if (issue.code === "unrecognized_keys" && issue.keys) {
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    }
    if (issue.input === undefined) return `is required (${what})`;
    return `must be ${what}, not ${describeValue(issue.input)}`;
  };
}

export const text = (what = "a non-empty string") =>
  z
    .string({ error: expecting(what) })
    .trim()
    .min(1, { error: expecting(what) });

export const anyText = () => z.string({ error: expecting("a string") });

export const positiveInt = (what = "a positive whole number") =>
  z
    .number({ error: expecting(what) })
    .int({ error: expecting(what) })
    .positive({ error: expecting(what) });

export const wholeNumber = (min: number, max: number) => {
  const what = `a whole number from ${min} to ${max}`;
  return z
    .number({ error: expecting(what) })
    .int({ error: expecting(what) })
    .min(min, { error: expecting(what) })
    .max(max, { error: expecting(what) });
};

export const usd = () =>
  z
    .number({ error: expecting("a positive USD amount") })
    .positive({ error: expecting("a positive USD amount") });

export const flag = () => z.boolean({ error: expecting("true or false") });

export const textList = (what = "a list of non-empty strings") =>
  z.array(text("a non-empty string"), { error: expecting(what) });

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: expecting(`one of ${values.join(", ")}`) });

/** String-keyed values; skill and workflow arguments accept strings, numbers and booleans. */
export const argumentMap = () =>
  z.record(
    z.string(),
    z.union([z.string(), z.number(), z.boolean()], { error: expecting("a string, number or boolean") }),
    { error: expecting("an object of argument values") },
  );

export const jsonObject = (what = "a JSON object") =>
  z.record(z.string(), z.unknown(), { error: expecting(what) });

/** A strict object: a misspelt field is refused by name rather than silently ignored. */
export const input = <S extends z.ZodRawShape>(shape: S) =>
  z.strictObject(shape, { error: expecting("an object of arguments") });
