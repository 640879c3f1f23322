/**
 * Splits a byte stream into lines, keeping a partial line until its newline arrives. Lines can be
 * huge (a 10 MB assistant block is one line), so chunks are kept as a list and joined once.
 */
export class LineSplitter {
  #pending: Buffer[] = [];

  constructor(readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      if (this.#pending.length > 0) {
        this.#pending.push(piece);
        this.#emit(Buffer.concat(this.#pending));
        this.#pending = [];
      } else {
        this.#emit(piece);
      }
      start = nl + 1;
    }
    if (start < chunk.length) this.#pending.push(chunk.subarray(start));
  }

  /** Emits what is left when the stream ends without a final newline. */
  end(): void {
    if (this.#pending.length > 0) this.#emit(Buffer.concat(this.#pending));
    this.#pending = [];
  }

  #emit(buf: Buffer): void {
    const line = buf.toString("utf8").replace(/\r$/, "");
    if (line.trim() !== "") this.onLine(line);
  }
}
