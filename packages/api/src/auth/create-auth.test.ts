import { InvalidOptions } from "@claude-pool/core";
import type { Database } from "@claude-pool/db";
import { describe, expect, it } from "vitest";
import { createPoolAuth } from "./create-auth.js";

// Validation runs before the database is touched, so none is needed here.
const noDatabase = {} as Database;
const secret = "s".repeat(32);

describe("createPoolAuth options", () => {
  it("refuses a short secret without echoing it", () => {
    const attempt = () =>
      createPoolAuth(noDatabase, { baseURL: "http://127.0.0.1:4680", secret: "short-secret" });
    expect(attempt).toThrow(InvalidOptions);
    expect(attempt).toThrow('secret must be a string of at least 32 characters (got "(hidden)")');
    expect(attempt).not.toThrow(/short-secret/);
  });

  it("refuses a base URL or trusted origin that is not http(s), naming it", () => {
    expect(() => createPoolAuth(noDatabase, { baseURL: "localhost:4680", secret })).toThrow(
      'baseURL must be an http(s) URL (got "localhost:4680")',
    );
    expect(() =>
      createPoolAuth(noDatabase, { baseURL: "http://127.0.0.1:4680", secret, trustedOrigins: ["ftp://x"] }),
    ).toThrow('trustedOrigins.0 must be an http(s) URL (got "ftp://x")');
  });
});
