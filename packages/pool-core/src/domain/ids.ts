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

/** Two hex digits (as char codes) per byte value. */
const HEX = Uint16Array.from({ length: 256 }, (_, b) => {
  const h = b.toString(16).padStart(2, "0");
  return h.charCodeAt(0) | (h.charCodeAt(1) << 8);
});
const DASH = 0x2d;
/** Where each of the 16 bytes goes in `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const text = Buffer.alloc(36, DASH);

/** Random, time-sortable ids (UUID v7). Never derived from a timestamp alone. */
export function newId(): string {
  // Written into one buffer and decoded once: a template of slices made a chain of five strings
  // (concatenations the task record then keeps alive), uuidv7's toString a character at a time.
  const bytes = generator.generate().bytes;
  for (let i = 0; i < 16; i++) {
    const h = HEX[bytes[i] as number] as number;
    const at = AT[i] as number;
    text[at] = h & 0xff;
    text[at + 1] = h >> 8;
  }
  return text.toString("latin1", 0, 36);
}
