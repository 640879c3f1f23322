/** One raw tRPC call over HTTP (no client library, so any input can go on the wire). */
export interface RawAnswer {
  status: number;
  code?: string;
  message: string;
  text: string;
}

export async function callRaw(
  url: string,
  path: string,
  type: "query" | "mutation" | "subscription",
  input: unknown,
  headers: Record<string, string>,
): Promise<RawAnswer> {
  const wire = input === undefined ? undefined : JSON.stringify(input);
  const target = new URL(`/trpc/${path}`, url);
  let res: Response;
  const abort = new AbortController();
  if (type === "mutation") {
    res = await fetch(target, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      ...(wire === undefined ? {} : { body: wire }),
    });
  } else {
    if (wire !== undefined) target.searchParams.set("input", wire);
    const accept: Record<string, string> = type === "subscription" ? { accept: "text/event-stream" } : {};
    res = await fetch(target, { headers: { ...headers, ...accept }, signal: abort.signal });
  }
  // A subscription that did start streams forever: read what came first, then hang up.
  const text = type === "subscription" ? await firstChunk(res, abort) : await res.text();
  let code: string | undefined;
  let message = "";
  let status = res.status;
  // tRPC reports a subscription's refusal inside the stream, as a serialized-error event.
  const streamed = /event: serialized-error\ndata: (.*)/.exec(text)?.[1];
  const json = streamed ?? /\{.*\}/s.exec(text)?.[0];
  try {
    const parsed = JSON.parse(json ?? "{}") as {
      error?: {
        message?: string;
        data?: { code?: string; httpStatus?: number };
        json?: { message?: string; data?: { code?: string } };
      };
    };
    // A streamed error is the error shape itself; a JSON answer wraps it in `error`.
    const err = streamed
      ? (parsed as NonNullable<typeof parsed.error>)
      : (parsed.error?.json ?? parsed.error);
    code = err?.data?.code;
    message = err?.message ?? "";
    const httpStatus = (err?.data as { httpStatus?: number } | undefined)?.httpStatus;
    if (streamed && httpStatus) status = httpStatus;
  } catch {
    message = text;
  }
  return { status, ...(code ? { code } : {}), message, text };
}

async function firstChunk(res: Response, abort: AbortController): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const timer = setTimeout(() => abort.abort(), 2000);
  let text = "";
  try {
    // Past the "connected" event: the first event that says something, or the end.
    while (!/event: (?!connected)\w/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  } catch {
    // aborted: the stream stayed open with nothing to say
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return text;
}
