// Binary relations over the n events of one execution, as bit matrices (one row of 32-bit
// words per event): the operators of herd7's cat language that linux-kernel.cat uses.

export class Rel {
  readonly w: number;
  readonly bits: Uint32Array;
  constructor(
    readonly n: number,
    bits?: Uint32Array,
  ) {
    this.w = (n + 31) >>> 5;
    this.bits = bits ?? new Uint32Array(n * this.w);
  }
  static from(n: number, pairs: Iterable<readonly [number, number]>): Rel {
    const r = new Rel(n);
    for (const [a, b] of pairs) r.add(a, b);
    return r;
  }
  /** [S]: the identity on the events of S. */
  static id(n: number, s: (i: number) => boolean): Rel {
    const r = new Rel(n);
    for (let i = 0; i < n; i++) if (s(i)) r.add(i, i);
    return r;
  }
  /** S * T. */
  static cross(n: number, s: (i: number) => boolean, t: (j: number) => boolean): Rel {
    const r = new Rel(n);
    for (let i = 0; i < n; i++) if (s(i)) for (let j = 0; j < n; j++) if (t(j)) r.add(i, j);
    return r;
  }
  add(a: number, b: number): void {
    this.bits[a * this.w + (b >>> 5)]! |= 1 << (b & 31);
  }
  has(a: number, b: number): boolean {
    return (this.bits[a * this.w + (b >>> 5)]! & (1 << (b & 31))) !== 0;
  }
  private zip(o: Rel, f: (a: number, b: number) => number): Rel {
    const out = new Uint32Array(this.bits.length);
    for (let i = 0; i < out.length; i++) out[i] = f(this.bits[i]!, o.bits[i]!);
    return new Rel(this.n, out);
  }
  or(...os: Rel[]): Rel {
    return os.reduce<Rel>((r, o) => r.zip(o, (a, b) => a | b), this);
  }
  and(o: Rel): Rel {
    return this.zip(o, (a, b) => a & b);
  }
  minus(o: Rel): Rel {
    return this.zip(o, (a, b) => a & ~b);
  }
  /** this ; o: for each pair (i, k) set in this, row k of o is or-ed into row i (set bits only). */
  seq(o: Rel): Rel {
    const r = new Rel(this.n);
    const w = this.w;
    const a = this.bits;
    const b = o.bits;
    const out = r.bits;
    for (let i = 0; i < this.n; i++) {
      for (let x = 0; x < w; x++) {
        let word = a[i * w + x]!;
        while (word !== 0) {
          const low = word & -word;
          const k = (x << 5) + 31 - Math.clz32(low);
          word ^= low;
          for (let y = 0; y < w; y++) out[i * w + y]! |= b[k * w + y]!;
        }
      }
    }
    return r;
  }
  /** Sequence of several relations. */
  static seqAll(first: Rel, ...rest: Rel[]): Rel {
    return rest.reduce((a, b) => a.seq(b), first);
  }
  inv(): Rel {
    const r = new Rel(this.n);
    for (let i = 0; i < this.n; i++) for (let j = 0; j < this.n; j++) if (this.has(i, j)) r.add(j, i);
    return r;
  }
  /** r+ (Warshall). */
  plus(): Rel {
    const r = new Rel(this.n, this.bits.slice());
    const w = this.w;
    const bits = r.bits;
    for (let k = 0; k < this.n; k++) {
      const kw = k >>> 5;
      const kb = 1 << (k & 31);
      for (let i = 0; i < this.n; i++) {
        if ((bits[i * w + kw]! & kb) === 0) continue;
        for (let x = 0; x < w; x++) bits[i * w + x]! |= bits[k * w + x]!;
      }
    }
    return r;
  }
  /** r* */
  star(): Rel {
    return this.plus().or(Rel.id(this.n, () => true));
  }
  /** r? */
  opt(): Rel {
    return this.or(Rel.id(this.n, () => true));
  }
  irreflexive(): boolean {
    for (let i = 0; i < this.n; i++) if (this.has(i, i)) return false;
    return true;
  }
  acyclic(): boolean {
    return this.plus().irreflexive();
  }
  empty(): boolean {
    return this.bits.every((b) => b === 0);
  }
  equals(o: Rel): boolean {
    return this.bits.every((b, i) => b === o.bits[i]);
  }
  /** domain(r) */
  domain(): boolean[] {
    const d: boolean[] = [];
    for (let i = 0; i < this.n; i++) {
      let any = false;
      for (let x = 0; x < this.w && !any; x++) any = this.bits[i * this.w + x] !== 0;
      d.push(any);
    }
    return d;
  }
  range(): boolean[] {
    return this.inv().domain();
  }
  /** [S] ; r ; [T] */
  restrict(s: (i: number) => boolean, t: (j: number) => boolean): Rel {
    const r = new Rel(this.n);
    for (let i = 0; i < this.n; i++) if (s(i)) for (let j = 0; j < this.n; j++) if (t(j) && this.has(i, j)) r.add(i, j);
    return r;
  }
  pairs(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.n; i++) for (let j = 0; j < this.n; j++) if (this.has(i, j)) out.push([i, j]);
    return out;
  }
}
