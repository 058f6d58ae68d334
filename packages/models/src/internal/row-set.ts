/** A set of row indices with O(1) insert and O(size) clear, for tracking touched gradient rows. */
export class RowSet {
  readonly rows: Int32Array;
  private readonly member: Uint8Array;
  size = 0;

  constructor(capacity: number) {
    this.rows = new Int32Array(capacity);
    this.member = new Uint8Array(capacity);
  }

  add(row: number): void {
    if (this.member[row] === 0) {
      this.member[row] = 1;
      this.rows[this.size++] = row;
    }
  }

  /** Zeroes the touched rows of `buffer` (row width `dim`) and empties the set. */
  clearRows(buffer: Float32Array, dim: number): void {
    for (let k = 0; k < this.size; k++) {
      const r = this.rows[k]!;
      buffer.fill(0, r * dim, r * dim + dim);
      this.member[r] = 0;
    }
    this.size = 0;
  }

  clear(): void {
    for (let k = 0; k < this.size; k++) this.member[this.rows[k]!] = 0;
    this.size = 0;
  }
}
