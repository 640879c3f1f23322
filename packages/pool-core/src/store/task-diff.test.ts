import { describe, expect, it } from "vitest";
import { boundPatch } from "./task-diff.js";

describe("boundPatch", () => {
  it("keeps a patch within the limit whole", () => {
    expect(boundPatch("+a\n-b\n", 6)).toEqual({ patch: "+a\n-b\n", truncated: false, patchBytes: 6 });
  });

  it("cuts after the last whole line that fits", () => {
    expect(boundPatch("+a\n-b\n+c\n", 7)).toEqual({ patch: "+a\n-b\n", truncated: true, patchBytes: 9 });
  });

  it("cuts one line longer than the limit between characters, never inside one", () => {
    // "€" is three bytes: a cut at byte 5 would split the second one.
    expect(boundPatch("+€€€", 5)).toEqual({ patch: "+€", truncated: true, patchBytes: 10 });
  });
});
