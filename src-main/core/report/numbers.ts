// Many numbers held compactly for exact percentiles: 1M times as 8 MB, sorted numerically in place.

/** Growable Float64Array. */
export class Numbers {
  private a = new Float64Array(1024)
  n = 0
  push(v: number) {
    if (this.n === this.a.length) this.grow(this.n + 1)
    this.a[this.n++] = v
  }
  pushAll(values: ArrayLike<number>) {
    if (this.n + values.length > this.a.length) this.grow(this.n + values.length)
    this.a.set(values, this.n)
    this.n += values.length
  }
  sorted(): Float64Array {
    return this.a.subarray(0, this.n).sort()
  }
  private grow(atLeast: number) {
    const b = new Float64Array(Math.max(this.a.length * 2, atLeast))
    b.set(this.a.subarray(0, this.n))
    this.a = b
  }
}
