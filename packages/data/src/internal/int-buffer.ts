/** A growable Int32Array (amortized doubling); readers push millions of ids without boxing them. */
export class IntBuffer {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(16, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  /** A trimmed copy of the contents. */
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}
