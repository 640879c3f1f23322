import { describe, expect, it } from "vitest";
import { credentialKeyOf } from "./credential.js";

describe("credentialKeyOf: the account a slot bills", () => {
  const base = { HOME: "/home/dev", ANTHROPIC_API_KEY: "sk-ant-secret-1", PATH: "/usr/bin" };

  it("is the same for the same account whatever else the env holds, and never shows the secret", () => {
    const key = credentialKeyOf(base);
    expect(key).toMatch(/^cred_[0-9a-f]{16}$/);
    expect(key).not.toContain("secret");
    expect(credentialKeyOf({ ...base, PATH: "/bin", CLAUDE_SIM_LOG: "/tmp/x" })).toBe(key);
    // The config dir defaults to $HOME/.claude, as the CLI's does.
    expect(credentialKeyOf({ ...base, CLAUDE_CONFIG_DIR: "/home/dev/.claude" })).toBe(key);
  });

  it("differs for another key, token, endpoint, config dir or apiKeyHelper settings", () => {
    const key = credentialKeyOf(base);
    const others = [
      credentialKeyOf({ ...base, ANTHROPIC_API_KEY: "sk-ant-secret-2" }),
      credentialKeyOf({ ...base, ANTHROPIC_AUTH_TOKEN: "tok" }),
      credentialKeyOf({ ...base, CLAUDE_CODE_OAUTH_TOKEN: "oauth" }),
      credentialKeyOf({ ...base, ANTHROPIC_BASE_URL: "http://127.0.0.1:9" }),
      credentialKeyOf({ ...base, CLAUDE_CONFIG_DIR: "/srv/other-account" }),
      credentialKeyOf({ ...base, HOME: "/home/other" }),
      credentialKeyOf(base, ["--settings", '{"apiKeyHelper":"~/bin/key-b"}']),
      credentialKeyOf(base, ['--settings={"apiKeyHelper":"~/bin/key-c"}']),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
  });
});
