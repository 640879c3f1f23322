/**
 * The API answers a bad input with BAD_REQUEST and one `field: message` line per problem (see
 * CONTRACT-API, errors.ts). These helpers turn that into messages shown at the field, so forms
 * show the API's own validation rather than a second copy of its rules.
 */
export function errorMessage(err: unknown): string {
  if (err && typeof err === "object" && "message" in err && typeof err.message === "string") {
    return err.message;
  }
  return "Something went wrong.";
}

export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === "object" && "data" in err) {
    const data = (err as { data?: { code?: unknown } }).data;
    if (data && typeof data.code === "string") return data.code;
  }
  return undefined;
}

/** Maps field paths (e.g. `steps.0.action.prompt`, `prompt`) to messages; lines without a path go under "". */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!err) return out;
  for (const line of errorMessage(err).split("\n")) {
    const m = /^([A-Za-z0-9_.[\]-]+): (.+)$/.exec(line.trim());
    if (m?.[1] && m[2]) out[m[1].replace(/\[(\d+)\]/g, ".$1")] = m[2];
    else if (line.trim()) out[""] = out[""] ? `${out[""]}\n${line.trim()}` : line.trim();
  }
  return out;
}

/** The message for one field, matching the field itself or anything beneath it. */
export function errorFor(errors: Record<string, string>, field: string): string | undefined {
  if (errors[field]) return errors[field];
  const key = Object.keys(errors).find((k) => k.startsWith(`${field}.`));
  return key ? errors[key] : undefined;
}
