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
// An object's own fields are read and written back by code made once per shape (its keys), so
// that each field access is a plain property access, not a lookup by a key from a list.
const SKIP_KEYS = new Set(['design', 'atomics', 'caller', 'hooks']);
const APPEND_ONLY = new WeakSet<unknown[]>();

/** Registers arrays that are only ever pushed to: a checkpoint keeps their length. */
export function appendOnly(...arrays: unknown[][]): void {
  for (const a of arrays) APPEND_ONLY.add(a);
}

/** What a captured object is, so that restore need not ask again. */
const enum Kind {
  Grown,
  List,
  Typed,
  Dict,
  Bag,
  Fields,
}

/** Reads and writes back an object's own fields, for one set of keys. */
interface Shape {
  keys: string[];
  read: (o: object) => unknown[];
  write: (o: object, values: unknown[]) => void;
  /** Positions of the fields whose values are walked (not under SKIP_KEYS). */
  walked: number[];
}

const SHAPES = new Map<string, Shape>();
/** The shape each object had when last captured: most are captured again and again, unchanged. */
const LAST_SHAPE = new WeakMap<object, Shape>();

function shapeOf(o: object): Shape {
  const keys = Object.keys(o);
  const last = LAST_SHAPE.get(o);
  if (last && sameKeys(last.keys, keys)) return last;
  const id = keys.join('\0');
  let shape = SHAPES.get(id);
  if (!shape) {
    const at = keys.map((k) => `o[${JSON.stringify(k)}]`);
    shape = {
      keys,
      read: new Function('o', `return [${at.join(',')}];`) as Shape['read'],
      write: new Function('o', 'v', at.map((a, i) => `${a} = v[${i}];`).join('\n')) as Shape['write'],
      walked: keys.flatMap((k, i) => (SKIP_KEYS.has(k) ? [] : [i])),
    };
    SHAPES.set(id, shape);
  }
  LAST_SHAPE.set(o, shape);
  return shape;
}

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

type Copy = unknown[] | ArrayBufferView | [unknown, unknown][] | number;

export class Checkpoint {
  private constructor(
    private readonly objects: object[],
    private readonly kinds: Kind[],
    private readonly copies: Copy[],
    /** The shape of each Fields object, by its position in `objects`. */
    private readonly shapes: (Shape | null)[],
  ) {}

  /** The state of everything reachable from `root`. */
  static capture(root: object): Checkpoint {
    const objects: object[] = [];
    const kinds: Kind[] = [];
    const copies: Copy[] = [];
    const shapes: (Shape | null)[] = [];
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
      let shape: Shape | null = null;
      if (Array.isArray(v)) {
        const grown = APPEND_ONLY.has(v);
        kinds.push(grown ? Kind.Grown : Kind.List);
        copies.push(grown ? v.length : v.slice());
        for (let i = 0; i < v.length; i++) ref(v[i]);
      } else if (ArrayBuffer.isView(v)) {
        kinds.push(Kind.Typed);
        copies.push((v as Int32Array).slice());
      } else if (v instanceof Map) {
        const entries = [...v];
        kinds.push(Kind.Dict);
        copies.push(entries);
        for (const [k, x] of entries) {
          ref(k);
          ref(x);
        }
      } else if (v instanceof Set) {
        const values = [...v];
        kinds.push(Kind.Bag);
        copies.push(values);
        for (const x of values) ref(x);
      } else {
        shape = shapeOf(v);
        const values = shape.read(v);
        kinds.push(Kind.Fields);
        copies.push(values);
        for (const i of shape.walked) ref(values[i]);
      }
      shapes.push(shape);
    }
    return new Checkpoint(objects, kinds, copies, shapes);
  }

  /** Every captured object back to its captured state. */
  restore(): void {
    const { objects, kinds, copies, shapes } = this;
    for (let i = 0; i < objects.length; i++) {
      const v = objects[i]!;
      const c = copies[i]!;
      switch (kinds[i]!) {
        case Kind.Grown:
          (v as unknown[]).length = c as number;
          break;
        case Kind.List: {
          const a = c as unknown[];
          const to = v as unknown[];
          to.length = a.length;
          for (let k = 0; k < a.length; k++) to[k] = a[k];
          break;
        }
        case Kind.Typed:
          (v as Int32Array).set(c as Int32Array);
          break;
        case Kind.Dict:
          if (sameMap(v as Map<unknown, unknown>, c as [unknown, unknown][])) break;
          (v as Map<unknown, unknown>).clear();
          for (const [k, x] of c as [unknown, unknown][]) (v as Map<unknown, unknown>).set(k, x);
          break;
        case Kind.Bag:
          if (sameSet(v as Set<unknown>, c as unknown[])) break;
          (v as Set<unknown>).clear();
          for (const x of c as unknown[]) (v as Set<unknown>).add(x);
          break;
        case Kind.Fields:
          shapes[i]!.write(v, c as unknown[]);
      }
    }
  }
}

// Clearing a Map or Set makes it a new table: one that holds what was captured is left alone
// (most are, and most are empty: a thread's spin observations, its cycle counts).
function sameMap(v: Map<unknown, unknown>, entries: [unknown, unknown][]): boolean {
  if (v.size !== entries.length) return false;
  for (const [k, x] of entries) if (v.get(k) !== x || (x === undefined && !v.has(k))) return false;
  return true;
}

function sameSet(v: Set<unknown>, values: unknown[]): boolean {
  if (v.size !== values.length) return false;
  for (const x of values) if (!v.has(x)) return false;
  return true;
}
