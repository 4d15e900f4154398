// The kernel pool's flight recorder: each CPU keeps its last KFLIGHT_ENTRIES role steps
// and zspage-lock events (what, in which kernel function, on which lock, when) in its own
// ring in the shared memory (layout.ts). On a violation the rings of every CPU are read
// out and put in order, so that a failure shows how it came about, as the model's flight
// recorder (src/invariants/flight-recorder.ts) shows it for the model.
//
// Order: a sequence word all CPUs share counts every entry, so the entries of all CPUs
// fall in one exact order. Time: the coordinator's millisecond clock in the header
// (HDR.CLOCK_MS). An entry is written with plain stores, only by its CPU: SEQ is 0 while
// the rest is rewritten, and the reader checks SEQ again after reading the entry, so that
// a slot reused meanwhile is dropped, never shown torn.
import { HDR, LINE_WORDS, readersIn as readers, writersIn as writers } from '../arena/layout.js';
import { EV, KIND } from './lockdep.js';
import { KFLIGHT_ENTRIES, KFLIGHT_WORDS, type KernelLayout } from './layout.js';

const RAW = Atomics;
/** The header line's words: the shared sequence, and a switch that turns recording off (only to measure what it costs). */
const H = { SEQ: 0, OFF: 1 } as const;
/** Entry words: its place in the order (0: being written), ms, what (STEP or event), lock, kernel function (C string), argument. */
const E = { SEQ: 0, MS: 1, WHAT: 2, LOCK: 3, FUNC: 4, ARG: 5 } as const;

/** Role steps, as the kernel's callers of zsmalloc make them. */
export const STEP = { READ: 1, SLEEP: 2, WRITE: 3, FREE: 4, COMPACT: 5, MIGRATE: 6, WORK: 7 } as const;
const STEP_CALLS = ['', 'zram_read_from_zspool', 'schedule', 'zram_write_page', 'zs_free', 'zs_compact', 'migrate_pages', 'async_free_zspage'];
const STEP_ARGS = ['', 'handle', 'µs asleep holding the object', 'handle (0: a new object)', 'handle', '', 'pfn', ''];
/** A zspage-lock event's WHAT: EVENT_BASE + its EV, with the lock kind and a trylock flag above. */
const EVENT_BASE = 16;
/** A holder counted inside the lock (ZspageLockRules.enter): ARG is who was inside before. */
export const ENTER = 15;
const TRY_BIT = 1 << 8;
const KIND_SHIFT = 12;
const EVENT_CALLS: Record<number, readonly string[]> = {
  [KIND.LOCKDEP_MAP]: ['rwsem_acquire_read', 'rwsem_acquire', 'lock_acquired', 'lock_contended', 'rwsem_release'],
  [KIND.RWLOCK]: ['read_lock', 'write_lock', 'acquired', 'contended', 'unlock'],
};

/** One recorded entry, as summary.json shows it. */
export interface KernelFlightOp {
  /** Position among the entries shown (exact order across CPUs). */
  seq: number;
  /** Run time in ms (to the coordinator's tick). */
  atMs: number;
  /** The CPU's role, e.g. "reader#1" ("setup" on CPU 0). */
  by: string;
  /** The role step's kernel call, or the zspage lock's annotation or rwlock call. */
  call: string;
  /** The kernel function that made the lock event (null for a role step). */
  func: string | null;
  /** The zspage lock's address (null for a role step). */
  lock: string | null;
  detail: string;
}

/** One CPU's writer of its ring. Allocation-free. */
export class KernelFlightRecorder {
  private next = 0;
  private readonly ring: number;
  private readonly on: boolean;

  constructor(
    private readonly mem: Int32Array,
    private readonly L: KernelLayout,
    cpu: number,
  ) {
    this.ring = ringOf(L, cpu);
    this.on = RAW.load(mem, L.flight + H.OFF) === 0;
  }

  /** A role step begins (STEP), with its handle, pfn or duration. */
  step(what: number, arg: number): void {
    this.write(what, 0, 0, arg);
  }

  /** A zspage-lock event (EV) of a lock of `kind`, made in kernel function `func` (a C string). */
  event(lock: number, event: number, trylock: boolean, kind: number, func: number): void {
    this.write(EVENT_BASE + event + (trylock ? TRY_BIT : 0) + (kind << KIND_SHIFT), lock, func, 0);
  }

  /** A holder counted inside zspage lock `lock`; `holders` the HOLDER word before it. */
  enter(lock: number, write: boolean, holders: number): void {
    this.write(ENTER + (write ? TRY_BIT : 0), lock, 0, holders);
  }

  private write(what: number, lock: number, func: number, arg: number): void {
    if (!this.on) return;
    const { mem } = this;
    const e = this.ring + (this.next++ & (KFLIGHT_ENTRIES - 1)) * KFLIGHT_WORDS;
    const seq = (RAW.add(mem, this.L.flight + H.SEQ, 1) + 1) | 0;
    mem[e + E.SEQ] = 0;
    mem[e + E.MS] = mem[HDR.CLOCK_MS]!;
    mem[e + E.WHAT] = what;
    mem[e + E.LOCK] = lock;
    mem[e + E.FUNC] = func;
    mem[e + E.ARG] = arg;
    RAW.store(mem, e + E.SEQ, seq);
  }
}

/** Every CPU's recorder made after this records nothing: only to measure what recording costs. */
export function turnFlightRecorderOff(mem: Int32Array, L: KernelLayout): void {
  RAW.store(mem, L.flight + H.OFF, 1);
}

const ringOf = (L: KernelLayout, cpu: number) => L.flight + LINE_WORDS + cpu * KFLIGHT_ENTRIES * KFLIGHT_WORDS;

/** How many entries a violation on a zspage lock shows at most; otherwise how many of each CPU's. */
export const RECENT_LIMIT = 48;
export const RECENT_PER_CPU = 12;

/**
 * Every CPU's recent entries in order, the newest `RECENT_LIMIT` of those made before the
 * call (the CPUs go on meanwhile: what they do after it is left out), or the newest
 * RECENT_PER_CPU of each CPU and its newest step (a busy CPU does not hide what a slow one did). With `lock` (>= 0),
 * only the events on that zspage lock, each after the role step its CPU was in, and the
 * step each of their CPUs is in now.
 * `names[cpu]` names each CPU.
 */
export function recentKernelOps(mem: Int32Array, bytes: Uint8Array, L: KernelLayout, names: readonly string[], lock = -1): KernelFlightOp[] {
  const cString = (p: number) => {
    let end = p;
    while (end < bytes.length && bytes[end] !== 0) end++;
    return p <= 0 ? '?' : new TextDecoder().decode(bytes.slice(p, end));
  };
  // the sequence wraps (2^32 entries, an hour or so of a long soak): entries are placed by their age
  const entries: Entry[] = [];
  const until = RAW.load(mem, L.flight + H.SEQ);
  for (let cpu = 0; cpu < L.cpus; cpu++) {
    const ring = ringOf(L, cpu);
    for (let i = 0; i < KFLIGHT_ENTRIES; i++) {
      const e = ring + i * KFLIGHT_WORDS;
      const seq = RAW.load(mem, e + E.SEQ);
      const age = (until - seq) >>> 0;
      if (seq === 0 || age >= 2 ** 31) continue;
      const w = Array.from(mem.subarray(e, e + KFLIGHT_WORDS));
      // its CPU runs on: a slot reused while it was read is not this entry
      if (RAW.load(mem, e + E.SEQ) === seq) entries.push({ cpu, age, w });
    }
  }
  entries.sort((a, b) => b.age - a.age);
  const shown = lock >= 0 ? onLock(entries, lock).slice(-RECENT_LIMIT) : newestOfEach(entries);
  const oldest = shown[0]?.age ?? 0;
  return shown.map(({ cpu, age, w }) => describe(w, oldest - age, names[cpu] ?? `CPU ${cpu}`, cString));
}

interface Entry {
  cpu: number;
  age: number;
  w: number[];
}

/** The events on zspage lock `lock`, each after the step its CPU was in, and the step each of those CPUs is in now. */
function onLock(entries: Entry[], lock: number): Entry[] {
  const stepOf = new Map<number, Entry>();
  const kept = new Set<Entry>();
  for (const x of entries) {
    if (x.w[E.LOCK] === 0) stepOf.set(x.cpu, x);
    else if (x.w[E.LOCK] === lock) {
      const step = stepOf.get(x.cpu);
      if (step) kept.add(step);
      kept.add(x);
    }
  }
  // the step it is in now: a reader asleep holding the lock, say
  for (const cpu of new Set([...kept].map((x) => x.cpu))) {
    const now = stepOf.get(cpu);
    if (now) kept.add(now);
  }
  return entries.filter((x) => kept.has(x));
}

/** The newest RECENT_PER_CPU entries of each CPU and its newest step, in order. */
function newestOfEach(entries: Entry[]): Entry[] {
  const left = new Map<number, number>();
  // each CPU's newest step, shown even when more lock events than RECENT_PER_CPU followed it
  // (a migration's cluster takes and drops many zspage locks in one step)
  const step = new Map<number, Entry>();
  for (const x of entries) {
    left.set(x.cpu, (left.get(x.cpu) ?? 0) + 1);
    if (x.w[E.LOCK] === 0) step.set(x.cpu, x);
  }
  return entries.filter((x) => {
    const n = left.get(x.cpu)! - 1;
    left.set(x.cpu, n);
    return n < RECENT_PER_CPU || step.get(x.cpu) === x;
  });
}

function describe(w: number[], seq: number, by: string, cString: (p: number) => string): KernelFlightOp {
  const what = w[E.WHAT]!;
  const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;
  const atMs = w[E.MS]!;
  if (what < ENTER) {
    const arg = w[E.ARG]!;
    const value = what === STEP.SLEEP || what === STEP.COMPACT || what === STEP.WORK ? String(arg) : hex(arg);
    return { seq, atMs, by, call: STEP_CALLS[what] ?? '?', func: null, lock: null, detail: what === STEP.COMPACT || what === STEP.WORK ? '' : `${STEP_ARGS[what]} ${value}` };
  }
  const lock = hex(w[E.LOCK]!);
  const trylock = (what & TRY_BIT) !== 0;
  if ((what & 0xff) === ENTER) {
    const before = w[E.ARG]!;
    return { seq, atMs, by, call: 'inside', func: null, lock, detail: `${trylock ? 'writer' : 'reader'} counted in; before: ${writers(before)} writer(s), ${readers(before)} reader(s)` };
  }
  const event = (what & 0xff) - EVENT_BASE;
  const kind = what >> KIND_SHIFT;
  const calls = EVENT_CALLS[kind] ?? EVENT_CALLS[KIND.LOCKDEP_MAP]!;
  let call = calls[event] ?? '?';
  if (kind === KIND.RWLOCK && trylock && event !== EV.RELEASE) call = call.replace('_lock', '_trylock');
  else if (trylock && event !== EV.RELEASE) call += ' (trylock)';
  return { seq, atMs, by, call, func: cString(w[E.FUNC]!), lock, detail: '' };
}

/** One line per entry, for the terminal. */
export function formatKernelOps(ops: readonly KernelFlightOp[]): string[] {
  return ops.map((o) => {
    const where = o.func ? ` in ${o.func}()` : '';
    const lock = o.lock ? ` zspage lock ${o.lock}` : '';
    return `${`#${o.seq}`.padEnd(6)} ${`~${o.atMs} ms`.padEnd(10)} ${o.by.padEnd(13)} ${o.call}${where}${lock}${o.detail ? `: ${o.detail}` : ''}`;
  });
}
