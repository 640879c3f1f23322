import { describe, expect, it } from "vitest";
import { extractJson, extractOutputVars, parseDotPath } from "./output.js";

describe("dot paths", () => {
  it("parses dots and brackets alike and rejects malformed paths", () => {
    expect(parseDotPath("files[0].path")).toEqual(["files", "0", "path"]);
    expect(parseDotPath("a.b")).toEqual(["a", "b"]);
    expect(parseDotPath("a..b")).toBeNull();
    expect(parseDotPath("")).toBeNull();
    expect(parseDotPath("a b")).toBeNull();
  });
});

describe("extractJson", () => {
  it("reads bare JSON, fenced JSON (the last that parses) and JSON inside prose", () => {
    expect(extractJson(' {"a": 1} ')).toEqual({ ok: true, value: { a: 1 } });
    expect(extractJson('Here:\n```json\n{"a": 1}\n```\nand\n```json\n{"a": 2}\n```\n')).toEqual({
      ok: true,
      value: { a: 2 },
    });
    expect(extractJson('The result is {"s": "brace } in string", "n": [1, 2]} — done.')).toEqual({
      ok: true,
      value: { s: "brace } in string", n: [1, 2] },
    });
    expect(extractJson("no json {here")).toEqual({ ok: false });
  });
});

describe("extractOutputVars", () => {
  it("reads each variable by its dot path from the JSON in the text", () => {
    const result = extractOutputVars(
      { count: "stats.count", first: "files[0].path", all: "files" },
      {
        output: 'Done.\n```json\n{"stats": {"count": 2}, "files": [{"path": "a.ts"}, {"path": "b.ts"}]}\n```',
      },
    );
    expect(result).toEqual({
      ok: true,
      vars: { count: 2, first: "a.ts", all: [{ path: "a.ts" }, { path: "b.ts" }] },
    });
  });

  it("prefers the structured output when the step ran with a JSON schema", () => {
    const result = extractOutputVars(
      { x: "x" },
      { output: '{"x": "from text"}', structuredOutput: { x: "structured" } },
    );
    expect(result).toEqual({ ok: true, vars: { x: "structured" } });
  });

  it("fails with the variable, its path and where it broke", () => {
    const missing = extractOutputVars({ x: "a.b.c" }, { output: '{"a": {"b": {}}}' });
    expect(missing).toEqual({
      ok: false,
      error: expect.stringContaining('"x" (path "a.b.c": nothing at "a.b.c")'),
    });
    const noJson = extractOutputVars({ x: "a" }, { output: "I could not do it." });
    expect(noJson).toEqual({ ok: false, error: expect.stringContaining("holds no JSON") });
    expect(extractOutputVars({}, { output: "anything" })).toEqual({ ok: true, vars: {} });
  });
});
