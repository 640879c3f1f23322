import { keyed } from "@/lib/keyed";

/**
 * Renders one persisted stream-json line of a task (the `kind` is the line's `type`; the payload
 * is the line itself, see claude-cli.md): assistant text, tool uses with their inputs, tool
 * results, permission denials, the result. Anything unknown is shown raw rather than dropped.
 */
export interface StreamEvent {
  seq: number;
  kind: string;
  payload: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function text(v: unknown): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v))
    return v.map((b) => (isObj(b) && typeof b.text === "string" ? b.text : JSON.stringify(b))).join("\n");
  return JSON.stringify(v);
}

function blocks(payload: unknown): Obj[] {
  if (!isObj(payload) || !isObj(payload.message)) return [];
  const c = payload.message.content;
  if (typeof c === "string") return [{ type: "text", text: c }];
  return Array.isArray(c) ? c.filter(isObj) : [];
}

export function EventLine({ event }: { event: StreamEvent }) {
  const p = event.payload;
  if (event.kind === "assistant") {
    return (
      <>
        {keyed(blocks(p), `${event.seq}`).map(({ item: b, key }) => {
          if (b.type === "text") return <li key={key}>{String(b.text ?? "")}</li>;
          if (b.type === "tool_use")
            return (
              <li key={key} className="ev-tool">
                <span className="ev-kind">tool use</span>
                {String(b.name)} {JSON.stringify(b.input)}
              </li>
            );
          if (b.type === "thinking")
            return (
              <li key={key} className="muted">
                (thinking) {String(b.thinking ?? "")}
              </li>
            );
          return <li key={key}>{JSON.stringify(b)}</li>;
        })}
      </>
    );
  }
  if (event.kind === "user") {
    return (
      <>
        {keyed(
          blocks(p).filter((b) => b.type === "tool_result"),
          `${event.seq}`,
        ).map(({ item: b, key }) => (
          <li key={key} className={b.is_error ? "ev-denied" : "ev-tool"}>
            <span className="ev-kind">{b.is_error ? "tool error" : "tool result"}</span>
            {text(b.content)}
          </li>
        ))}
      </>
    );
  }
  if (event.kind === "system" && isObj(p)) {
    if (p.subtype === "permission_denied")
      return (
        <li className="ev-denied">
          <span className="ev-kind">permission denied</span>
          {String(p.tool_name)}: {String(p.message ?? "")}
        </li>
      );
    if (p.subtype === "init")
      return (
        <li className="muted">
          <span className="ev-kind">session</span>
          {String(p.model ?? "")} {String(p.session_id ?? "")}
        </li>
      );
    return null;
  }
  if (event.kind === "result" && isObj(p)) {
    const denials = Array.isArray(p.permission_denials) ? p.permission_denials.filter(isObj) : [];
    return (
      <>
        <li className="ev-result">
          <span className="ev-kind">result</span>
          {p.is_error ? "error: " : ""}
          {text(p.result ?? p.errors ?? p.subtype)}
        </li>
        {keyed(denials, `${event.seq}-d`).map(({ item: d, key }) => (
          <li key={key} className="ev-denied">
            <span className="ev-kind">denied</span>
            {String(d.tool_name)} {JSON.stringify(d.tool_input)}
          </li>
        ))}
      </>
    );
  }
  // Stream deltas repeat the assistant lines; `process` is the pool's own bookkeeping (pid, host);
  // a `diff` is shown under Changes.
  if (event.kind === "stream_event" || event.kind === "process" || event.kind === "diff") return null;
  return (
    <li className="muted">
      <span className="ev-kind">{event.kind}</span>
      {typeof p === "string" ? p : JSON.stringify(p)}
    </li>
  );
}
