import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logging/logger.js";
import { captureLines } from "./helpers/log-capture.js";

const SECRETS = {
  apiKey: "sk-ant-api03-verysecretvalue-1234567890",
  token: "cp_9f8e7d6c5b4a39281706f5e4d3c2b1a0",
  cookie: "better-auth.session_token=abc123sessionsecretvalue.sig",
  webhookSecret: "whsec-3b1f9c0e5a7d4e2f8a6b",
  password: "correct-horse-battery-staple",
};

describe("JSON logs", () => {
  it("writes one JSON object per line with level, time and message", () => {
    const out = captureLines();
    const { logger } = createLogger({ destination: out.stream });
    logger.info({ taskId: "t1", status: "completed" }, "task completed");
    const [line] = out.json();
    expect(line).toMatchObject({ level: 30, msg: "task completed", taskId: "t1", status: "completed" });
    expect(new Date(String(line?.time)).toISOString()).toBe(line?.time);
  });

  it("never writes a secret, by key at any depth or inside a message", () => {
    const out = captureLines();
    const { logger, addSecret } = createLogger({ destination: out.stream, level: "trace" });
    addSecret(SECRETS.webhookSecret);
    logger.info({ env: { ANTHROPIC_API_KEY: SECRETS.apiKey } }, "spawning");
    logger.info({ ANTHROPIC_API_KEY: SECRETS.apiKey }, "top level");
    logger.info(
      { req: { headers: { authorization: `Bearer ${SECRETS.token}`, cookie: SECRETS.cookie } } },
      "request",
    );
    logger.info({ res: { headers: { "set-cookie": SECRETS.cookie } } }, "response");
    logger.info({ token: SECRETS.token, created: { token: SECRETS.token } }, "token created");
    logger.info({ webhook: { url: "http://127.0.0.1/hook", secret: SECRETS.webhookSecret } }, "webhook");
    logger.info({ user: { email: "a@example.com", password: SECRETS.password } }, "sign-up");
    // Where no key names it: messages and free text.
    logger.warn(`upstream said: invalid x-api-key ${SECRETS.apiKey}`);
    logger.warn(`caller sent Authorization: Bearer ${SECRETS.token}`);
    logger.error({ error: `signature check failed for ${SECRETS.webhookSecret}` }, "delivery failed");
    logger.info({ url: `postgres://postgres:${SECRETS.password}@db:5432/pool` }, "database");

    const text = out.lines().join("\n");
    expect(out.lines()).toHaveLength(11);
    for (const [name, secret] of Object.entries(SECRETS)) expect(text, name).not.toContain(secret);
    expect(text).not.toContain("abc123sessionsecretvalue");
    // What is not secret stays readable.
    expect(text).toContain("a@example.com");
    expect(text).toContain("http://127.0.0.1/hook");
    expect(text).toContain("[Redacted]");
  });
});
