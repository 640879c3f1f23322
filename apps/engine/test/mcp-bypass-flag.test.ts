import { simBinPath } from "@claude-pool/claude-sim";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/cli/usage-error.js";
import { planMcp } from "../src/mcp/command.js";

/** `claude-pool mcp` runs an embedded pool in bypassPermissions only when told twice. */
describe("claude-pool mcp --permission-mode bypassPermissions", () => {
  const env = { CLAUDE_POOL_BIN: simBinPath };

  it("is a usage error without --allow-bypass-permissions", () => {
    let error: unknown;
    try {
      planMcp(["--permission-mode", "bypassPermissions"], env, process.cwd());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      '--permission-mode "bypassPermissions" lets Claude run every tool without asking: it needs --allow-bypass-permissions as well',
    );
  });

  it("passes the opt-in to the pool with the flag, and never by default", () => {
    const allowed = planMcp(
      ["--permission-mode", "bypassPermissions", "--allow-bypass-permissions"],
      env,
      process.cwd(),
    );
    expect(allowed.mode === "embedded" && allowed.options).toMatchObject({
      permissionMode: "bypassPermissions",
      allowBypassPermissions: true,
    });
    const plain = planMcp([], env, process.cwd());
    expect(plain.mode === "embedded" && plain.options.permissionMode).toBeUndefined();
    expect(plain.mode === "embedded" && plain.options.allowBypassPermissions).toBeUndefined();
  });
});
