// The global Atomics a lock module sees: a router installed as `globalThis.Atomics` before any
// lock module is evaluated (loadLockDesign), so that every way a module reaches it (a call at
// call time, `const A = Atomics` or `const { load } = Atomics` at its top, a helper module it
// imports) lands here. During a lock call the harness points ROUTE.to at the atomics it gave
// the lock (src/invariants/global-atomics.ts); outside one it is the runtime's own Atomics.
// The harness's own code that may run inside a lock call uses RAW_ATOMICS, never the global.
import type { LockAtomics, MemoryOrder, ResultUse } from './contract.js';

interface Routing {
  /** The global Atomics as the runtime made it. */
  readonly raw: typeof Atomics;
  /** Where the router's calls go now. */
  to: LockAtomics;
  readonly router: typeof Atomics;
}

// One routing per thread, shared by every copy of this module (src/ and a bundle, in tests).
const KEY = Symbol.for('zspage-stress.atomics-routing');
const global = globalThis as unknown as { Atomics: typeof Atomics; [KEY]?: Routing };

/**
 * The router's methods pass every argument on, whatever typed array it is (BigInt64Array
 * included) and the ordering and result-use arguments the LockAtomics take. Fixed arities: no rest
 * arrays, so a call allocates nothing.
 */
function newRouting(raw: typeof Atomics): Routing {
  const routing: Routing = { raw, to: raw as unknown as LockAtomics, router: raw };
  type A = Int32Array;
  type O = MemoryOrder | undefined;
  type U = ResultUse | undefined;
  const router: Record<string | symbol, unknown> = {
    load: (a: A, i: number, o: O) => routing.to.load(a, i, o),
    store: (a: A, i: number, v: number, o: O) => routing.to.store(a, i, v, o),
    add: (a: A, i: number, v: number, o: O, u: U) => routing.to.add(a, i, v, o, u),
    sub: (a: A, i: number, v: number, o: O, u: U) => routing.to.sub(a, i, v, o, u),
    and: (a: A, i: number, v: number, o: O, u: U) => routing.to.and(a, i, v, o, u),
    or: (a: A, i: number, v: number, o: O, u: U) => routing.to.or(a, i, v, o, u),
    xor: (a: A, i: number, v: number, o: O, u: U) => routing.to.xor(a, i, v, o, u),
    exchange: (a: A, i: number, v: number, o: O, u: U) => routing.to.exchange(a, i, v, o, u),
    compareExchange: (a: A, i: number, e: number, r: number, o: O, f: O) => routing.to.compareExchange(a, i, e, r, o, f),
    wait: (a: A, i: number, v: number, t?: number) => routing.to.wait(a, i, v, t),
    notify: (a: A, i: number, c?: number) => routing.to.notify(a, i, c),
    [Symbol.toStringTag]: 'Atomics',
  };
  // The rest (isLockFree, waitAsync, ...) is the runtime's own: no check looks at them.
  for (const name of Object.getOwnPropertyNames(raw)) {
    const f = (raw as unknown as Record<string, unknown>)[name];
    if (typeof f === 'function' && !Object.hasOwn(router, name)) router[name] = f.bind(raw);
  }
  return Object.assign(routing, { router: Object.freeze(router) as unknown as typeof Atomics });
}

const routing: Routing = (global[KEY] ??= newRouting(global.Atomics));

/** The global Atomics as the runtime made it. */
export const RAW_ATOMICS: typeof Atomics = routing.raw;

/** Where the router sends its calls: set around each lock call, back when it returns. */
export const ROUTE: { to: LockAtomics } = routing;

/** The router, as a lock module sees `Atomics`. */
export const ATOMICS_ROUTER: typeof Atomics = routing.router;

/** Makes the router this thread's global Atomics (once; later calls change nothing). */
export function installAtomicsRouter(): void {
  global.Atomics = routing.router;
}
