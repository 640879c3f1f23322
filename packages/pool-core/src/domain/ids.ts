import { getRandomValues } from "node:crypto";
import { V7Generator } from "uuidv7";

/**
 * The CSPRNG read in blocks: uuidv7's default reads 8 words at a time, one `getRandomValues`
 * call per two or three ids, which was a visible share of a task's cost in the pool alone.
 */
class BufferedRandom {
  readonly #buffer = new Uint32Array(1024);
  #cursor = this.#buffer.length;

  nextUint32(): number {
    if (this.#cursor >= this.#buffer.length) {
      getRandomValues(this.#buffer);
      this.#cursor = 0;
    }
    return this.#buffer[this.#cursor++] as number;
  }
}

const generator = new V7Generator(new BufferedRandom());

/** Random, time-sortable ids (UUID v7). Never derived from a timestamp alone. */
export function newId(): string {
  // Formatted through one hex string: uuidv7's toString builds it a character at a time.
  const hex = Buffer.from(generator.generate().bytes).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
