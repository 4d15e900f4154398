// A checkpoint of a Run's state at a scheduling point, restored in place (exhaustive.ts):
// exhaustive exploration then re-runs only the steps after the point it backtracks to, instead
// of every step from the start. The capture walks the Run's object graph (arrays, typed arrays,
// Maps, Sets, objects) and keeps a shallow copy of each; restore writes each copy back into the
// same object, so every reference into the graph (the lock's atomics hold the Run, the spin
// watch holds the threads) stays valid. Objects made after the capture are dropped with the
// containers that held them. Not walked, kept as they are: functions, frozen objects, and the
// values under `SKIP_KEYS` (the design, each thread's atomics and caller: never changed by a run).
const SKIP_KEYS = new Set(['design', 'atomics', 'caller', 'hooks']);

interface Fields {
  keys: string[];
  values: unknown[];
}
type Copy = unknown[] | ArrayBufferView | [unknown, unknown][] | Fields;

export class Checkpoint {
  private constructor(
    private readonly objects: object[],
    private readonly copies: Copy[],
    /** The state as text, when captured with `skip`. */
    readonly text: string,
  ) {}

  /**
   * The state of everything reachable from `root`. With `skip`, also the state as text (for
   * state caching, exhaustive.ts): every object's fields met from the root along fields not in
   * `skip`, a reference as its object's number in the order met; the same state, the same text.
   * The fields in `skip` (those that only number the path, and scratch) are captured after.
   */
  static capture(root: object, skip: ReadonlySet<string> | null = null): Checkpoint {
    const objects: object[] = [];
    const copies: Copy[] = [];
    const ids = new Map<object, number>();
    let todo: object[] = [];
    const later: object[] = [];
    let text = '';
    const ref = (x: object): number => {
      let n = ids.get(x);
      if (n === undefined) {
        ids.set(x, (n = ids.size));
        todo.push(x);
      }
      return n;
    };
    // only what may change is walked: not primitives, not frozen objects (memo entries, footprints)
    let texting = skip !== null;
    const walk = (x: unknown): string => {
      if (typeof x !== 'object' || x === null) return texting ? (typeof x === 'function' ? 'f' : String(x)) : '';
      if (Object.isFrozen(x)) return texting ? `(${Object.values(x).join(':')})` : '';
      const n = ref(x);
      return texting ? `#${n}` : '';
    };
    ref(root);
    for (let phase = 0; phase < 2; phase++) {
      while (todo.length > 0) {
        const v = todo.pop()!;
        objects.push(v);
        let t: string;
        if (Array.isArray(v)) {
          copies.push(v.slice());
          t = '[';
          if (texting) for (let i = 0; i < v.length; i++) t += `${walk(v[i])}\u0001`;
          else for (let i = 0; i < v.length; i++) if (typeof v[i] === 'object' && v[i] !== null && !Object.isFrozen(v[i])) ref(v[i] as object);
        } else if (ArrayBuffer.isView(v)) {
          const c = (v as Int32Array).slice();
          copies.push(c);
          t = texting ? `<${c.join(',')}` : '';
        } else if (v instanceof Map) {
          const entries = [...v];
          copies.push(entries);
          t = 'M';
          for (const [k, x] of entries) t += `${walk(k)}=${walk(x)}\u0001`;
        } else if (v instanceof Set) {
          const values = [...v];
          copies.push(values);
          t = 'S';
          for (const x of values) t += `${walk(x)}\u0001`;
        } else {
          const keys = Object.keys(v);
          const o = v as Record<string, unknown>;
          const values = new Array<unknown>(keys.length);
          t = '{';
          for (let i = 0; i < keys.length; i++) {
            const k = keys[i]!;
            const x = (values[i] = o[k]);
            if (SKIP_KEYS.has(k)) continue;
            if (skip?.has(k)) {
              if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) later.push(x);
            } else t += `${k}:${walk(x)}\u0001`;
          }
          copies.push({ keys, values });
        }
        if (phase === 0) text += `${t}\n`;
      }
      texting = false; // what the skipped fields hold is captured, not part of the text
      todo = [...new Set(later)].filter((x) => !ids.has(x));
      for (const x of todo) ids.set(x, ids.size);
    }
    return new Checkpoint(objects, copies, skip ? text : '');
  }

  /** Every captured object back to its captured state. */
  restore(): void {
    const { objects, copies } = this;
    for (let i = 0; i < objects.length; i++) {
      const v = objects[i]!;
      const c = copies[i]!;
      if (Array.isArray(v)) {
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
