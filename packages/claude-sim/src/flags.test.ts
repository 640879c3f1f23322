import { describe, expect, it } from "vitest";
import { JSON_OUT, runSim, STREAM } from "../test/run-sim.js";

describe("flag parsing like commander", () => {
  it("--version and -v", async () => {
    expect(await runSim(["--version"])).toMatchObject({ code: 0, stdout: "2.1.332 (Claude Code)\n" });
    expect((await runSim(["-v"])).stdout).toBe("2.1.332 (Claude Code)\n");
  });

  it("rejects unknown options with rc 1", async () => {
    expect(await runSim(["-p", "x", "--bogus"])).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "error: unknown option '--bogus'\n",
    });
    expect((await runSim(["-p", "--verbose=yes", "x"])).stderr).toBe(
      "error: unknown option '--verbose=yes'\n",
    );
  });

  it("reports bad choices, bad numbers and missing arguments with the real texts", async () => {
    expect((await runSim(["-p", "--output-format", "xml", "x"])).stderr).toBe(
      "error: option '--output-format <format>' argument 'xml' is invalid. Allowed choices are text, json, stream-json.\n",
    );
    expect((await runSim(["-p", "--permission-mode=nope", "x"])).stderr).toBe(
      "error: option '--permission-mode <mode>' argument 'nope' is invalid. Allowed choices are acceptEdits, auto, bypassPermissions, manual, dontAsk, plan.\n",
    );
    expect((await runSim(["-p", "--max-turns", "abc", "x"])).stderr).toBe(
      "error: option '--max-turns <turns>' argument 'abc' is invalid. must be a number\n",
    );
    const budget = await runSim(["-p", "--max-budget-usd", "0", "x"]);
    expect(budget).toMatchObject({
      code: 1,
      stderr:
        "error: option '--max-budget-usd <amount>' argument '0' is invalid. --max-budget-usd must be a number greater than 0\n",
    });
    expect((await runSim(["-p", "x", "--model"])).stderr).toBe(
      "error: option '--model <model>' argument missing\n",
    );
  });

  it("accepts the hidden permission mode 'default' and shows manual as default", async () => {
    const r = await runSim([...STREAM, "--permission-mode", "manual", "x"]);
    expect(JSON.parse(r.stdout.split("\n")[0] ?? "")).toMatchObject({ permissionMode: "default" });
    expect((await runSim(["-p", "--permission-mode", "default", "x"])).code).toBe(0);
  });

  it("validates in the real order", async () => {
    expect((await runSim(["-p", "--output-format", "stream-json"])).stderr).toBe(
      "Error: When using --print, --output-format=stream-json requires --verbose\n",
    );
    expect((await runSim(["-p", "--input-format", "stream-json", "--output-format", "json"])).stderr).toBe(
      "Error: --input-format=stream-json requires output-format=stream-json.\n",
    );
    expect(await runSim(["-p"])).toMatchObject({
      code: 1,
      stderr:
        "Error: Input must be provided either through stdin or as a prompt argument when using --print\n",
    });
    expect((await runSim(["-p", "--json-schema", "{nope", "x"])).stderr).toMatch(
      /^Error: --json-schema is not valid JSON: /,
    );
    expect((await runSim(["-p", "--mcp-config", "/nonexistent.json", "--", "x"])).stderr).toBe(
      "Error: Invalid MCP configuration:\nMCP config file not found: /nonexistent.json\n",
    );
  });

  it("variadic options swallow following words until -- (as commander does)", async () => {
    const swallowed = await runSim(["-p", "--allowedTools", "Read", "Edit"]);
    expect(swallowed.code).toBe(1);
    const ok = await runSim(["-p", "--allowedTools", "Read", "Edit", "--", "the prompt"]);
    expect(ok).toMatchObject({ code: 0, stdout: "sim: the prompt\n" });
    const eq = await runSim(["-p", "--allowed-tools=Read,Edit", "--model=haiku", "the prompt"]);
    expect(eq.stdout).toBe("sim: the prompt\n");
  });

  it("--effort with an unknown value only warns", async () => {
    const r = await runSim(["-p", "--effort", "extreme", "x"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      "Warning: Unknown --effort value 'extreme' — ignoring it and using the default effort. Valid values: low, medium, high, xhigh, max.\n",
    );
  });

  it("refuses bypassPermissions as root unless IS_SANDBOX=1", async () => {
    const args = ["-p", "--dangerously-skip-permissions", "x"];
    const refused = await runSim(args, { env: { IS_SANDBOX: undefined } });
    if (process.getuid?.() === 0) {
      expect(refused).toMatchObject({
        code: 1,
        stderr:
          "--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons\n",
      });
    } else {
      expect(refused.code).toBe(0);
    }
    expect((await runSim(args, { env: { IS_SANDBOX: "1" } })).code).toBe(0);
  });

  it("resolves model aliases and accepts any model id", async () => {
    const opus = JSON.parse((await runSim([...JSON_OUT, "--model", "opus", "x"])).stdout);
    expect(Object.keys(opus.modelUsage)).toEqual(["claude-opus-5-5"]);
    expect(opus.total_cost_usd).toBe(0.001054);
    const custom = JSON.parse((await runSim([...JSON_OUT, "--model", "my-model", "x"])).stdout);
    expect(custom.modelUsage["my-model"]).toMatchObject({ costBasis: "unknown" });
  });

  it("reads stdin: arg + newline + stdin", async () => {
    const r = await runSim(["-p", "--output-format", "json", "--verbose", "arg"], { stdin: "piped" });
    expect(r.code).toBe(0);
    const r2 = await runSim(["-p", '<<sim:{"reply":"ok"}>>'], { stdin: "piped text" });
    expect(r2.stdout).toBe("ok\n");
    const only = await runSim(["-p"], { stdin: "from stdin" });
    expect(only.stdout).toBe("sim: from stdin\n");
  });

  it("warns after 3 s when stdin is an open pipe with no data, then proceeds", async () => {
    const r = await runSim(["-p", "x"], { stdin: "open" });
    expect(r.code).toBe(0);
    expect(r.ms).toBeGreaterThan(2900);
    expect(r.stderr).toBe(
      "Warning: no stdin data received in 3s, proceeding without it. If piping from a slow command, redirect stdin explicitly: < /dev/null to skip, or wait longer.\n",
    );
  });
});
