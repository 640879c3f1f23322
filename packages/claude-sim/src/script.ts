/**
 * The scripted behaviour of one sim run: merged from `CLAUDE_SIM_SCRIPT` (a JSON object) and
 * then from `<<sim:{...}>>` directives in the prompt (later wins, field by field).
 */

import type { TokenUsage } from "./pricing.js";

export interface SimScript {
  /** Final reply text. Default: `sim: ` + the prompt without directives, first 200 chars. */
  reply?: string;
  /** Milliseconds to wait before each simulated API call answers. */
  delayMs?: number;
  /** USD per API call; sets usage to `cost / outputPrice` output tokens and nothing else. */
  cost?: number;
  /** Explicit token counts per API call (ignored when `cost` is set). Missing fields are 0. */
  usage?: Partial<TokenUsage>;
  /** Number of tool_use → tool_result rounds (one API call each) before the final answer. */
  toolTurns?: number;
  /** Files to write relative to cwd, one Write tool round each (subject to permission mode). */
  writeFiles?: Record<string, string>;
  /** Print init and one assistant line, then exit with `exitCode` (default 1), no result. */
  crash?: boolean;
  /** Print init, then never exit until killed (or interrupted, in stream-json input mode). */
  hang?: boolean;
  /**
   * Stream-json input: acknowledge a `control_request` interrupt but keep running the turn (a
   * CLI stuck in a tool), so only a kill stops it.
   */
  ignoreInterrupt?: boolean;
  /**
   * Start a long-lived child process first (as a tool's shell would), in the sim's process group;
   * its pid is appended to $CLAUDE_SIM_LOG as `{"childOf": <sim pid>, "childPid": <pid>}`.
   */
  spawnChild?: boolean;
  /** Interleave noise lines, blank lines and chunked partial lines; noise on stderr too. */
  garbage?: boolean;
  /** Reply text of exactly this many bytes (ASCII). */
  outputBytes?: number;
  /** Fail the final API call with this HTTP status. */
  apiError?: 400 | 401 | 429 | 500 | 529;
  /** Overrides the API error's message (the part after `API Error: <status> `). */
  apiErrorMessage?: string;
  /** `api_retry` system lines to emit before an `apiError`. */
  apiRetries?: number;
  /** Hit the subscription usage limit until `resetsAt` (an ISO date or unix seconds); runs after it succeed. */
  usageLimit?: { resetsAt: string | number };
  /** Value of `structured_output` when `--json-schema` is given. */
  structured?: unknown;
  /** Process exit code (for success and crash). */
  exitCode?: number;
  /** Text written to stderr at start. */
  stderr?: string;
}

export class ScriptError extends Error {
  override name = "ScriptError";
}

const API_ERRORS = new Set([400, 401, 429, 500, 529]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function expect(ok: boolean, field: string, what: string, got: unknown): void {
  if (!ok) throw new ScriptError(`script field '${field}' must be ${what}, got ${JSON.stringify(got)}`);
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

/** Validates an untyped object as a {@link SimScript}; throws {@link ScriptError} with the culprit. */
export function parseScript(raw: unknown): SimScript {
  expect(isRecord(raw), "(root)", "a JSON object", raw);
  const obj = raw as Record<string, unknown>;
  const out: SimScript = {};
  for (const [key, v] of Object.entries(obj)) {
    switch (key) {
      case "reply":
      case "stderr":
      case "apiErrorMessage":
        expect(typeof v === "string", key, "a string", v);
        out[key] = v as string;
        break;
      case "delayMs":
      case "toolTurns":
      case "outputBytes":
      case "apiRetries":
        expect(isCount(v), key, "a non-negative integer", v);
        out[key] = v as number;
        break;
      case "exitCode":
        expect(isCount(v) && (v as number) < 256, key, "an integer 0..255", v);
        out.exitCode = v as number;
        break;
      case "cost":
        expect(typeof v === "number" && Number.isFinite(v) && v >= 0, key, "a non-negative number", v);
        out.cost = v as number;
        break;
      case "crash":
      case "hang":
      case "ignoreInterrupt":
      case "spawnChild":
      case "garbage":
        expect(typeof v === "boolean", key, "a boolean", v);
        out[key] = v as boolean;
        break;
      case "apiError":
        expect(typeof v === "number" && API_ERRORS.has(v), key, "one of 400, 401, 429, 500, 529", v);
        out.apiError = v as SimScript["apiError"];
        break;
      case "usage": {
        expect(isRecord(v), key, "an object of token counts", v);
        const usage: Partial<TokenUsage> = {};
        for (const [k, n] of Object.entries(v as Record<string, unknown>)) {
          const known =
            k === "input_tokens" ||
            k === "output_tokens" ||
            k === "cache_creation_input_tokens" ||
            k === "cache_read_input_tokens";
          expect(known && isCount(n), `usage.${k}`, "a known token field with a non-negative integer", n);
          usage[k as keyof TokenUsage] = n as number;
        }
        out.usage = usage;
        break;
      }
      case "writeFiles": {
        expect(isRecord(v), key, "an object of relativePath: content", v);
        const files: Record<string, string> = {};
        for (const [path, content] of Object.entries(v as Record<string, unknown>)) {
          expect(typeof content === "string", `writeFiles.${path}`, "a string", content);
          files[path] = content as string;
        }
        out.writeFiles = files;
        break;
      }
      case "usageLimit": {
        const resetsAt = isRecord(v) ? v.resetsAt : undefined;
        const okDate = typeof resetsAt === "string" && !Number.isNaN(Date.parse(resetsAt));
        expect(okDate || isCount(resetsAt), key, "{resetsAt: ISO string | unix seconds}", v);
        out.usageLimit = { resetsAt: resetsAt as string | number };
        break;
      }
      case "structured":
        out.structured = v;
        break;
      default:
        throw new ScriptError(`unknown script field '${key}'`);
    }
  }
  return out;
}

const OPEN = "<<sim:";
const CLOSE = ">>";

export interface ExtractedDirectives {
  /** The prompt with every parsed directive removed. */
  text: string;
  /** The directives' scripts, merged left to right. */
  script: SimScript;
}

/**
 * Finds `<<sim:{json}>>` directives in a prompt. The JSON may itself contain `>>`: each candidate
 * end is tried until the enclosed text parses. A directive that never parses is left in the text.
 */
export function extractDirectives(prompt: string): ExtractedDirectives {
  let script: SimScript = {};
  let text = "";
  let pos = 0;
  for (;;) {
    const start = prompt.indexOf(OPEN, pos);
    if (start < 0) break;
    let end = prompt.indexOf(CLOSE, start + OPEN.length);
    let parsed: unknown;
    let found = false;
    while (end >= 0) {
      try {
        parsed = JSON.parse(prompt.slice(start + OPEN.length, end));
        found = true;
        break;
      } catch {
        end = prompt.indexOf(CLOSE, end + 1);
      }
    }
    if (!found) {
      throw new ScriptError(`unparsable directive at offset ${start}: ${prompt.slice(start, start + 80)}`);
    }
    script = { ...script, ...parseScript(parsed) };
    text += prompt.slice(pos, start);
    pos = end + CLOSE.length;
  }
  text += prompt.slice(pos);
  return { text, script };
}

/**
 * Renders a script as a prompt directive.
 *
 * @example
 * pool.run("hello " + simDirective({ cost: 0.1, toolTurns: 2 }));
 */
export function simDirective(script: SimScript): string {
  return `${OPEN}${JSON.stringify(script)}${CLOSE}`;
}
