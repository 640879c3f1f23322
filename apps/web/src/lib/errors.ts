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

/**
 * Maps field paths (e.g. `steps.0.name`, `prompt`) to messages; problems without a field go
 * under "". Reads the API's `data.issues` when the input failed its zod schema, else the message:
 * `field: message` lines, or pool-core's `<field> must be …` (and the older `invalid option <field>: …`).
 */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!err) return out;
  const add = (field: string, message: string) => {
    const key = field === "input" ? "" : field.replace(/\[(\d+)\]/g, ".$1");
    out[key] = out[key] ? `${out[key]}\n${message}` : message;
  };
  const issues = (err as { data?: { issues?: unknown } }).data?.issues;
  if (Array.isArray(issues) && issues.length > 0) {
    for (const i of issues as Array<{ field?: unknown; message?: unknown }>) {
      if (typeof i.message === "string") add(typeof i.field === "string" ? i.field : "", i.message);
    }
    return out;
  }
  for (const raw of errorMessage(err).split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const option =
      /^invalid option ([A-Za-z0-9_.[\]-]+): (.+)$/.exec(line) ??
      /^(?:unknown option )?([A-Za-z0-9_.[\]-]+) (must be .+|\(did you mean .+)$/.exec(line);
    const field = /^([A-Za-z0-9_.[\]-]+): (.+)$/.exec(line);
    const m = option ?? field;
    if (m?.[1] && m[2]) add(m[1], m[2]);
    else add("", line);
  }
  return out;
}

/** The message for one field, matching the field itself or anything beneath it. */
export function errorFor(errors: Record<string, string>, field: string): string | undefined {
  if (errors[field]) return errors[field];
  const key = Object.keys(errors).find((k) => k.startsWith(`${field}.`));
  return key ? errors[key] : undefined;
}
