import { describe, expect, it } from "vitest";
import { escapeChainReferences, references, render } from "./template.js";

describe("template language", () => {
  it("finds argument, chain and $ARGUMENTS placeholders in order", () => {
    const refs = references(
      "Fix {path} using {previous_output} and {steps.plan.files}; $ARGUMENTS[1] $ARGUMENTS",
    );
    expect(refs.map((ref) => ref.raw)).toEqual([
      "{path}",
      "{previous_output}",
      "{steps.plan.files}",
      "$ARGUMENTS[1]",
      "$ARGUMENTS",
    ]);
    expect(refs[2]).toMatchObject({ kind: "step", step: "plan", variable: "files" });
    expect(refs[3]).toMatchObject({ kind: "arguments", index: 1 });
  });

  it("leaves JSON, code and unresolved names exactly as written", () => {
    const prompt = 'Return {"ok": true} like `if (x) { y }` for {unknown} and {{title}}';
    expect(render(prompt, () => undefined)).toBe(prompt);
  });

  it("never re-scans a substituted value", () => {
    const out = render("A: {a}", (ref) => (ref.kind === "name" && ref.name === "a" ? "{error} {b}" : "X"));
    expect(out).toBe("A: {error} {b}");
  });

  it("renders {{previous_output}} as the literal reference, or keeps the escape for a later stage", () => {
    expect(render("{{previous_output}} vs {previous_output}", () => "OUT")).toBe("{previous_output} vs OUT");
    expect(render("{{error}}", () => "E", { keepEscapes: true })).toBe("{{error}}");
  });

  it("escapes only the chain's reserved references in user text, reversibly", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: JS template text is the input under test
    const text = "catch {error} in ${error}; {steps.a.b}; {name}; {{previous_output}}";
    const escaped = escapeChainReferences(text);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: JS template text is the input under test
    expect(escaped).toBe("catch {{error}} in ${{error}}; {{steps.a.b}}; {name}; {{{previous_output}}}");
    expect(render(escaped, () => "INJECTED")).toBe(text.replace("{name}", "INJECTED"));
  });
});
