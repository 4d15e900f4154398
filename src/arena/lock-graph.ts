// Lockdep's dependency graph as both lockdeps keep it in shared memory (the model's,
// src/invariants/lockdep.ts; the kernel pool's, src/zsmalloc/lockdep.ts): one Int32
// bitmask row per lock class, row a bit b meaning "a was held when b was taken".

/** The atomics a caller reads the graph with (the model's are immune to the lock router). */
export type GraphLoad = Pick<typeof Atomics, 'load'>;

/**
 * The classes from `from` to `to` along dependencies (both ends included), or null: the
 * breadth-first search of check_noncircular(). Rows at mem[rows + class], `classes` of
 * them. Runs only for a new dependency, so it may allocate.
 */
export function dependencyPath(atomics: GraphLoad, mem: Int32Array, rows: number, classes: number, from: number, to: number): number[] | null {
  const parent = new Int32Array(classes).fill(-1);
  let seen = 1 << from;
  const queue = [from];
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (c === to) {
      const path = [to];
      for (let p = parent[to]!; p >= 0; p = parent[p]!) path.unshift(p);
      return path;
    }
    const row = atomics.load(mem, rows + c);
    for (let n = 0; n < classes; n++) {
      if ((row & (1 << n)) === 0 || (seen & (1 << n)) !== 0) continue;
      seen |= 1 << n;
      parent[n] = c;
      queue.push(n);
    }
  }
  return null;
}
