/**
 * The one template language shared by skills, chains and workflows.
 *
 * Placeholders:
 * - `{name}`: a skill or workflow argument, or one of the chain's reserved names
 *   `{previous_output}` and `{error}`.
 * - `{steps.<step>.<var>}`: an output variable of an earlier chain step.
 * - `$ARGUMENTS` and `$ARGUMENTS[N]`: all skill arguments, or the Nth declared one.
 * - `{{previous_output}}`, `{{error}}`, `{{steps.a.b}}`: the literal text with single braces. Only
 *   the chain's reserved references have an escape, so JSON, code and Handlebars-style `{{title}}`
 *   in a prompt stay exactly as written.
 *
 * A template is tokenised once and rendered in a single pass: a substituted value is never scanned
 * again, so an argument or a step output that happens to contain `{error}` cannot inject a
 * reference.
 */

export type TemplateToken =
  | { kind: "text"; raw: string }
  | { kind: "name"; raw: string; name: string }
  | { kind: "step"; raw: string; step: string; variable: string }
  | { kind: "arguments"; raw: string; index: number | null }
  | { kind: "escaped"; raw: string; text: string };

export type ReferenceToken = Exclude<TemplateToken, { kind: "text" } | { kind: "escaped" }>;

/** Names a chain resolves itself; they cannot be used as skill, workflow or output-variable names. */
export const RESERVED_NAMES = ["previous_output", "error", "steps"] as const;

const IDENT = "[A-Za-z_][A-Za-z0-9_-]*";
const STEP_NAME = "[A-Za-z0-9_][A-Za-z0-9_-]*";
const TOKEN = new RegExp(
  [
    `\\{\\{(previous_output|error|steps\\.${STEP_NAME}\\.${IDENT})\\}\\}`,
    `\\{steps\\.(${STEP_NAME})\\.(${IDENT})\\}`,
    `\\{(${IDENT})\\}`,
    "\\$ARGUMENTS(?:\\[(\\d+)\\])?",
  ].join("|"),
  "g",
);

export function tokenize(template: string): TemplateToken[] {
  const tokens: TemplateToken[] = [];
  let last = 0;
  for (const match of template.matchAll(TOKEN)) {
    const [raw, escaped, step, variable, name, index] = match;
    if (match.index > last) tokens.push({ kind: "text", raw: template.slice(last, match.index) });
    if (escaped !== undefined) tokens.push({ kind: "escaped", raw, text: `{${escaped}}` });
    else if (step !== undefined && variable !== undefined) tokens.push({ kind: "step", raw, step, variable });
    else if (name !== undefined) tokens.push({ kind: "name", raw, name });
    else tokens.push({ kind: "arguments", raw, index: index === undefined ? null : Number(index) });
    last = match.index + raw.length;
  }
  if (last < template.length) tokens.push({ kind: "text", raw: template.slice(last) });
  return tokens;
}

/** The placeholders of a template, in order (escaped ones excluded). */
export function references(template: string): ReferenceToken[] {
  return tokenize(template).filter(
    (token): token is ReferenceToken => token.kind !== "text" && token.kind !== "escaped",
  );
}

export interface RenderOptions {
  /**
   * Keep `{{…}}` escapes as written instead of unescaping them. Used when a template is rendered
   * in stages (workflow arguments first, chain references at run time) so the escape survives
   * until the final stage.
   */
  keepEscapes?: boolean;
}

/**
 * Renders a template in one pass. `resolve` returns the text for a placeholder, or undefined to
 * leave it exactly as written (prose like `{foo}` that names nothing).
 */
export function render(
  template: string,
  resolve: (token: ReferenceToken) => string | undefined,
  options: RenderOptions = {},
): string {
  let out = "";
  for (const token of tokenize(template)) {
    if (token.kind === "text") out += token.raw;
    else if (token.kind === "escaped") out += options.keepEscapes ? token.raw : token.text;
    else out += resolve(token) ?? token.raw;
  }
  return out;
}

/**
 * Escapes the chain's reserved references in text that will later be rendered as part of a chain
 * step, so user-supplied text (an issue body quoting `${error}`) stays literal.
 */
export function escapeChainReferences(text: string): string {
  return text.replace(
    new RegExp(`\\{(previous_output|error|steps\\.${STEP_NAME}\\.${IDENT})\\}`, "g"),
    (_match, inner: string) => `{{${inner}}}`,
  );
}

/** Formats a value for a prompt: strings verbatim, everything else as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value) ?? String(value);
}
