/**
 * Writes messages in the chosen output format, honouring stdout back-pressure (a 10 MB reply
 * must not be buffered without bound) and, for the `garbage` script, corrupting the stream the
 * way a misbehaving child would: noise lines, blank lines, lines split across writes.
 */

import type { JsonObject } from "./shapes.js";

export type OutputFormat = "text" | "json" | "stream-json";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function writeStream(stream: NodeJS.WriteStream, data: string): Promise<void> {
  if (stream.write(data)) return Promise.resolve();
  return new Promise((resolve) => stream.once("drain", () => resolve()));
}

/** Resolves once everything written so far to stdout and stderr has been handed to the OS. */
export function flushStdio(): Promise<void> {
  const flushOne = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write("", () => resolve()));
  return Promise.all([flushOne(process.stdout), flushOne(process.stderr)]).then(() => undefined);
}

export class Emitter {
  readonly #format: OutputFormat;
  readonly #verbose: boolean;
  #garbage: boolean;
  #lineNo = 0;
  /** Every message so far, for `--output-format json --verbose`. */
  readonly #collected: JsonObject[] = [];

  constructor(format: OutputFormat, verbose: boolean, garbage: boolean) {
    this.#format = format;
    this.#verbose = verbose;
    this.#garbage = garbage;
  }

  /** Stream-json input: each turn's own script says whether its lines are corrupted. */
  set garbage(on: boolean) {
    this.#garbage = on;
  }

  get streaming(): boolean {
    return this.#format === "stream-json";
  }

  /** Emits a non-result message (stream-json: one line now; json --verbose: kept for the array). */
  async message(msg: JsonObject): Promise<void> {
    if (this.#format === "stream-json") await this.#line(JSON.stringify(msg));
    else if (this.#format === "json" && this.#verbose) this.#collected.push(msg);
  }

  /** Emits the result message; `text` is what `--output-format text` prints. */
  async result(msg: JsonObject, text: string): Promise<void> {
    if (this.#format === "stream-json") {
      await this.#line(JSON.stringify(msg));
    } else if (this.#format === "json") {
      const body = this.#verbose ? [...this.#collected, msg] : msg;
      this.#collected.length = 0;
      await this.#line(JSON.stringify(body));
    } else {
      await writeStream(process.stdout, text);
    }
  }

  async #line(json: string): Promise<void> {
    const n = this.#lineNo++;
    if (!this.#garbage) {
      await writeStream(process.stdout, `${json}\n`);
      return;
    }
    // Deterministic noise pattern so tests can count on every kind appearing in a short run.
    if (n % 2 === 0) await writeStream(process.stdout, `sim-garbage ${n}: this line is not JSON {\n`);
    if (n % 3 === 0) await writeStream(process.stdout, "\n");
    process.stderr.write(`sim-garbage stderr ${n}\n`);
    const third = Math.max(1, Math.floor(json.length / 3));
    await writeStream(process.stdout, json.slice(0, third));
    await sleep(5);
    await writeStream(process.stdout, json.slice(third, 2 * third));
    await sleep(5);
    await writeStream(process.stdout, `${json.slice(2 * third)}\n`);
  }
}
