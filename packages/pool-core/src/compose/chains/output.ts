/**
 * Output variables: a step names values in its output with dot paths (`summary`, `files.0.path`,
 * `files[0].path`), read from the step's structured output when it ran with a JSON schema, or
 * from the JSON in its text output otherwise.
 */

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Splits a dot path into segments; `a[0].b` is the same as `a.0.b`. Returns null when malformed. */
export function parseDotPath(path: string): string[] | null {
  const normalised = path.replace(/\[(\d+)\]/g, ".$1");
  const segments = normalised.split(".");
  if (segments.some((segment) => !SEGMENT.test(segment))) return null;
  return segments;
}

export type PathLookup = { found: true; value: unknown } | { found: false; missing: string };

/** Follows a parsed dot path into a JSON value; numeric segments index arrays. */
export function getPath(root: unknown, segments: readonly string[]): PathLookup {
  let value = root;
  for (const [i, segment] of segments.entries()) {
    const here = segments.slice(0, i + 1).join(".");
    if (Array.isArray(value)) {
      const index = /^\d+$/.test(segment) ? Number(segment) : Number.NaN;
      if (!(index < value.length)) return { found: false, missing: here };
      value = value[index];
    } else if (value !== null && typeof value === "object" && Object.hasOwn(value, segment)) {
      value = (value as Record<string, unknown>)[segment];
    } else {
      return { found: false, missing: here };
    }
  }
  return { found: true, value };
}

/**
 * Finds the JSON value in a model's text output: the whole text, else the last fenced code block
 * that parses, else the first balanced `{…}`/`[…]` span that parses. Models wrap JSON in prose and
 * fences even when asked not to.
 */
export function extractJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const whole = tryParse(text.trim());
  if (whole.ok) return whole;
  const fences = [...text.matchAll(/```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)```/g)];
  for (const fence of fences.reverse()) {
    const parsed = tryParse((fence[1] ?? "").trim());
    if (parsed.ok) return parsed;
  }
  for (let start = 0; start < text.length; start++) {
    const open = text[start];
    if (open !== "{" && open !== "[") continue;
    const end = matchingClose(text, start);
    if (end === -1) continue;
    const parsed = tryParse(text.slice(start, end + 1));
    if (parsed.ok) return parsed;
  }
  return { ok: false };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === "") return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Index of the bracket closing the one at `start`, skipping brackets inside JSON strings. */
function matchingClose(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

export interface StepOutputSource {
  /** The step's text output. */
  output: string;
  /** Present when the step ran with a JSON schema. */
  structuredOutput?: unknown;
}

export type OutputVarsResult = { ok: true; vars: Record<string, unknown> } | { ok: false; error: string };

/**
 * Reads a step's output variables. Fails (so the step can be retried with a clear reason) when the
 * output holds no JSON or a path is missing.
 */
export function extractOutputVars(
  outputVars: Readonly<Record<string, string>>,
  source: StepOutputSource,
): OutputVarsResult {
  const entries = Object.entries(outputVars);
  if (entries.length === 0) return { ok: true, vars: {} };
  let root: unknown;
  if (source.structuredOutput !== undefined) {
    root = source.structuredOutput;
  } else {
    const json = extractJson(source.output);
    if (!json.ok) {
      return {
        ok: false,
        error: `output variables ${entries.map(([name]) => `"${name}"`).join(", ")} need JSON output, but the step's output holds no JSON`,
      };
    }
    root = json.value;
  }
  const vars: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, path] of entries) {
    const segments = parseDotPath(path);
    const lookup = segments ? getPath(root, segments) : { found: false as const, missing: path };
    if (lookup.found) vars[name] = lookup.value;
    else missing.push(`"${name}" (path "${path}": nothing at "${lookup.missing}")`);
  }
  if (missing.length > 0) return { ok: false, error: `output variables not found: ${missing.join(", ")}` };
  return { ok: true, vars };
}
