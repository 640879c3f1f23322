import { Writable } from "node:stream";

/** A pino destination that keeps every line, for tests that read what was logged. */
export function captureLines(): {
  stream: Writable;
  lines: () => string[];
  json: () => Array<Record<string, unknown>>;
} {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const lines = () => text.split("\n").filter(Boolean);
  return { stream, lines, json: () => lines().map((l) => JSON.parse(l) as Record<string, unknown>) };
}
