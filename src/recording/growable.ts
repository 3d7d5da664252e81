/** An append-only Float64Array that doubles as it grows, so a take of any length costs O(n) copies. */
export class Float64Builder {
  private data: Float64Array;
  length = 0;

  constructor(initial = 1024) {
    this.data = new Float64Array(initial);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  /** A right-sized copy whose buffer can be transferred between threads. */
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}
