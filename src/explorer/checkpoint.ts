// A checkpoint of a Run's state at a scheduling point, restored in place (exhaustive.ts):
// exhaustive exploration then re-runs only the steps after the point it backtracks to, instead
// of every step from the start. The capture walks the Run's object graph (arrays, typed arrays,
// Maps, Sets, objects) and keeps a shallow copy of each; restore writes each copy back into the
// same object, so every reference into the graph (the lock's atomics hold the Run, the spin
// watch holds the threads) stays valid. Objects made after the capture are dropped with the
// containers that held them. Not walked, kept as they are: functions, frozen objects, and the
// values under `SKIP_KEYS` (the design, each thread's atomics and caller: never changed by a run).
// An array registered as append-only (`appendOnly`: the schedule, the footprints, each thread's
// memo; only pushed to, never rewritten) is kept as its length and cut back to it: a capture
// costs the objects, not the steps so far. Its elements that are not frozen are walked as usual.
const SKIP_KEYS = new Set(['design', 'atomics', 'caller', 'hooks']);
const APPEND_ONLY = new WeakSet<unknown[]>();

/** Registers arrays that are only ever pushed to: a checkpoint keeps their length. */
export function appendOnly(...arrays: unknown[][]): void {
  for (const a of arrays) APPEND_ONLY.add(a);
}

interface Fields {
  keys: string[];
  values: unknown[];
}
type Copy = unknown[] | ArrayBufferView | [unknown, unknown][] | Fields | number;

export class Checkpoint {
  private constructor(
    private readonly objects: object[],
    private readonly copies: Copy[],
  ) {}

  /** The state of everything reachable from `root`. */
  static capture(root: object): Checkpoint {
    const objects: object[] = [];
    const copies: Copy[] = [];
    const ids = new Set<object>();
    const todo: object[] = [root];
    ids.add(root);
    // only what may change is walked: not primitives, not frozen objects (memo entries, footprints)
    const ref = (x: unknown): void => {
      if (typeof x !== 'object' || x === null || Object.isFrozen(x) || ids.has(x)) return;
      ids.add(x);
      todo.push(x);
    };
    while (todo.length > 0) {
      const v = todo.pop()!;
      objects.push(v);
      if (Array.isArray(v)) {
        copies.push(APPEND_ONLY.has(v) ? v.length : v.slice());
        for (let i = 0; i < v.length; i++) ref(v[i]);
      } else if (ArrayBuffer.isView(v)) {
        copies.push((v as Int32Array).slice());
      } else if (v instanceof Map) {
        const entries = [...v];
        copies.push(entries);
        for (const [k, x] of entries) {
          ref(k);
          ref(x);
        }
      } else if (v instanceof Set) {
        const values = [...v];
        copies.push(values);
        for (const x of values) ref(x);
      } else {
        const keys = Object.keys(v);
        const o = v as Record<string, unknown>;
        const values = new Array<unknown>(keys.length);
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!;
          const x = (values[i] = o[k]);
          if (!SKIP_KEYS.has(k)) ref(x);
        }
        copies.push({ keys, values });
      }
    }
    return new Checkpoint(objects, copies);
  }

  /** Every captured object back to its captured state. */
  restore(): void {
    const { objects, copies } = this;
    for (let i = 0; i < objects.length; i++) {
      const v = objects[i]!;
      const c = copies[i]!;
      if (typeof c === 'number') {
        (v as unknown[]).length = c;
      } else if (Array.isArray(v)) {
        const a = c as unknown[];
        v.length = a.length;
        for (let k = 0; k < a.length; k++) v[k] = a[k];
      } else if (ArrayBuffer.isView(v)) {
        (v as Int32Array).set(c as Int32Array);
      } else if (v instanceof Map) {
        v.clear();
        for (const [k, x] of c as [unknown, unknown][]) v.set(k, x);
      } else if (v instanceof Set) {
        v.clear();
        for (const x of c as unknown[]) v.add(x);
      } else {
        const { keys, values } = c as Fields;
        const o = v as Record<string, unknown>;
        for (let k = 0; k < keys.length; k++) o[keys[k]!] = values[k];
      }
    }
  }
}
