// The shadow's hot path as one WebAssembly call per edge of a lock operation (shadow.ts): the
// 64-bit atomic add on the zspage's HOLDERS|OPS word, the worker's held state and the flight
// recorder's ring entry. In JS these were two seq-cst Atomics calls where one instruction does,
// and each Atomics call (a runtime call) made the compiler reload every field and array after
// it; here the plain stores between the atomics are single instructions (bench reader-cycles).
//
// The ring: each worker keeps its last FLIGHT_ENTRIES zspage lock operations (operation,
// zspage, lock words before and after, when; flight-recorder.ts reads them out). An entry is
// written with plain stores, only by its worker: OP is 0 while the rest is rewritten and
// the reader checks OP and GEN again after reading it (recentOps), so that a slot reused
// meanwhile is dropped, never shown torn.
import { FLIGHT, FLIGHT_ENTRIES, FLIGHT_ENTRY_WORDS, FLIGHT_LOCK_WORDS, HDR, OPS_IN_BITS, SHADOW, WRK, type Layout } from '../arena/layout.js';
import { FLIGHT_STATUS } from './flight-recorder.js';
import { op, wasmModule, type Code, type WasmFunction } from './wasm-emit.js';

/** Mutable i32 globals of one instance (one worker). */
const G = { ZSP: 0, ZSP_BYTES: 1, SHADOW_OFF: 2, LOCK_OFF: 3, WORDS: 4, RING: 5, LINE: 6, RECORD: 7, BEGUN: 8, AT: 9, LAST_OPS: 10 };
const GLOBALS = 11;
const F = { init: 0, flightBegin: 1, flightEnd: 2, begin: 3, end: 4, add: 5, peek: 6, lastOps: 7 };
const w = (word: number) => word * 4;

/** mem[to + i] = mem[from + i] for i < WORDS (byte addresses in locals `to`, `from`; `i` a scratch local). */
function copyLockWords(to: number, toOffset: number, from: number, i: number): Code[] {
  return [
    op.i32(0), op.set(i),
    op.block, op.loop,
    op.local(i), op.global(G.WORDS), op.geS, op.brIf(1),
    op.local(to), op.local(i), op.i32(2), op.shl, op.add,
    op.local(from), op.local(i), op.i32(2), op.shl, op.add, op.load(0),
    op.store(toOffset),
    op.local(i), op.i32(1), op.add, op.set(i),
    op.br(0),
    op.end, op.end,
  ];
}

/**
 * Local `d` = zspage `z`'s descriptor; then the seq-cst 64-bit add of
 * (opsDelta << 32) + holdersDelta on its HOLDERS|OPS word, old value in local `old`, and
 * LAST_OPS = OPS after it. The holders' delta is sign-extended: its borrow, when negative,
 * cancels in the 64-bit sum, since no thread takes out of HOLDERS more than it put in.
 */
function rmw(z: number, opsDelta: number, holdersDelta: number, d: number, old: number): Code[] {
  return [
    op.global(G.ZSP), op.local(z), op.global(G.ZSP_BYTES), op.mul, op.add, op.tee(d),
    op.global(G.SHADOW_OFF), op.add,
    op.local(opsDelta), op.extendU, op.i64(32), op.i64Shl,
    op.local(holdersDelta), op.extendS, op.i64Add,
    op.atomicAdd64(w(SHADOW.HOLDERS)), op.set(old),
    op.local(old), op.i64(32), op.i64ShrU, op.wrap, op.local(opsDelta), op.add, op.setGlobal(G.LAST_OPS),
  ];
}

/** The worker's held state (held-state.ts): the zspage, then the state. */
const held = (z: number, state: number): Code[] => [
  op.global(G.LINE), op.local(z), op.store(w(WRK.ZSPAGE)),
  op.global(G.LINE), op.local(state), op.store(w(WRK.STATE)),
];

const FUNCTIONS: WasmFunction[] = [
  {
    name: 'init', // (zsp, zspBytes, shadowOff, lockOff, words, ring, line, record), byte addresses
    params: 8, result: false, locals: [],
    body: [
      ...[G.ZSP, G.ZSP_BYTES, G.SHADOW_OFF, G.LOCK_OFF, G.WORDS, G.RING, G.LINE, G.RECORD].flatMap((g, i) => [op.local(i), op.setGlobal(g)]),
      op.i32(0), op.setGlobal(G.BEGUN), op.i32(-1), op.setGlobal(G.AT),
    ],
  },
  {
    name: 'flightBegin', // (op, z, gen, lock): an operation starts; gen is OPS as its start was counted
    params: 4, result: false, locals: ['i32', 'i32'],
    body: [
      op.global(G.RING), op.global(G.BEGUN), op.i32(FLIGHT_ENTRIES - 1), op.and, op.i32(w(FLIGHT_ENTRY_WORDS)), op.mul, op.add, op.set(4),
      op.global(G.BEGUN), op.i32(1), op.add, op.setGlobal(G.BEGUN),
      op.local(4), op.i32(0), op.store(w(FLIGHT.OP)), // invalid while it is rewritten
      op.local(4), op.i32(FLIGHT_STATUS.IN_PROGRESS), op.store(w(FLIGHT.STATUS)),
      op.local(4), op.local(1), op.store(w(FLIGHT.ZSPAGE)),
      op.local(4), op.local(2), op.i32(OPS_IN_BITS), op.shrU, op.store(w(FLIGHT.GEN)),
      op.local(4), op.i32(0), op.load(w(HDR.CLOCK_MS)), op.store(w(FLIGHT.MS)),
      ...copyLockWords(4, w(FLIGHT.BEFORE), 3, 5),
      op.local(4), op.local(0), op.store(w(FLIGHT.OP)),
      op.local(4), op.setGlobal(G.AT),
    ],
  },
  {
    name: 'flightEnd', // (status, gen, lock): the operation begun last ends; gen is OPS as its end was counted
    params: 3, result: false, locals: ['i32', 'i32'],
    body: [
      op.global(G.AT), op.tee(3), op.i32(0), op.ltS, op.if, op.return, op.end,
      ...copyLockWords(3, w(FLIGHT.AFTER), 2, 4),
      op.local(3), op.local(1), op.i32(OPS_IN_BITS), op.shrU, op.store(w(FLIGHT.GEN_END)),
      op.local(3), op.local(0), op.store(w(FLIGHT.STATUS)),
    ],
  },
  {
    name: 'begin', // (op, z, opsDelta, holdersDelta, state) -> HOLDERS before
    params: 5, result: true, locals: ['i32', 'i64'],
    body: [
      ...rmw(1, 2, 3, 5, 6),
      ...held(1, 4),
      op.global(G.RECORD), op.if,
      op.local(0), op.local(1), op.global(G.LAST_OPS), op.local(5), op.global(G.LOCK_OFF), op.add, op.call(F.flightBegin),
      op.end,
      op.local(6), op.wrap,
    ],
  },
  {
    name: 'end', // (status, z, opsDelta, holdersDelta, state, heldZ) -> HOLDERS before
    params: 6, result: true, locals: ['i32', 'i64'],
    body: [
      ...rmw(1, 2, 3, 6, 7),
      ...held(5, 4),
      op.global(G.RECORD), op.if,
      op.local(0), op.global(G.LAST_OPS), op.local(6), op.global(G.LOCK_OFF), op.add, op.call(F.flightEnd),
      op.end,
      op.local(7), op.wrap,
    ],
  },
  {
    name: 'add', // (z, opsDelta, holdersDelta) -> HOLDERS before
    params: 3, result: true, locals: ['i32', 'i64'],
    body: [...rmw(0, 1, 2, 3, 4), op.local(4), op.wrap],
  },
  {
    name: 'peek', // (z) -> HOLDERS, and LAST_OPS = OPS, read together
    params: 1, result: true, locals: ['i64'],
    body: [
      op.global(G.ZSP), op.local(0), op.global(G.ZSP_BYTES), op.mul, op.add, op.global(G.SHADOW_OFF), op.add,
      op.atomicLoad64(w(SHADOW.HOLDERS)), op.set(1),
      op.local(1), op.i64(32), op.i64ShrU, op.wrap, op.setGlobal(G.LAST_OPS),
      op.local(1), op.wrap,
    ],
  },
  { name: 'lastOps', params: 0, result: true, locals: [], body: [op.global(G.LAST_OPS)] },
];

let compiled: WebAssembly.Module | null = null;
const shadowModule = () => (compiled ??= new WebAssembly.Module(wasmModule(GLOBALS, FUNCTIONS)));

interface CoreExports {
  init(zsp: number, zspBytes: number, shadowOff: number, lockOff: number, words: number, ring: number, line: number, record: number): void;
  flightBegin(op: number, z: number, gen: number, lock: number): void;
  flightEnd(status: number, gen: number, lock: number): void;
  begin(op: number, z: number, opsDelta: number, holdersDelta: number, state: number): number;
  end(status: number, z: number, opsDelta: number, holdersDelta: number, state: number, heldZ: number): number;
  add(z: number, opsDelta: number, holdersDelta: number): number;
  peek(z: number): number;
  lastOps(): number;
}

/** One worker's shadow core over the arena's memory. */
export class ShadowCore {
  /** An operation `op` (FLIGHT_OP) on zspage z starts: HOLDERS|OPS += (opsDelta, holdersDelta), held state, ring entry. HOLDERS before. */
  readonly begin: CoreExports['begin'];
  /** The operation begun last ends with `status` (FLIGHT_STATUS): as begin; the held state names `heldZ`. HOLDERS before. */
  readonly end: CoreExports['end'];
  /** HOLDERS|OPS += (opsDelta, holdersDelta) alone. HOLDERS before. */
  readonly add: CoreExports['add'];
  /** HOLDERS now; OPS of the same instant in lastOps(). */
  readonly peek: CoreExports['peek'];
  /** OPS after the last begin, end or add (or as the last peek saw it). */
  readonly lastOps: CoreExports['lastOps'];
  private readonly x: CoreExports;
  private readonly zspages: number;
  private readonly zspageWords: number;
  private readonly shadowOff: number;

  /** `record`: keep the flight recorder's ring (off only to measure what it costs). */
  constructor(memory: WebAssembly.Memory, L: Layout, worker: number, record = true) {
    this.x = new WebAssembly.Instance(shadowModule(), { env: { memory } }).exports as unknown as CoreExports;
    const words = Math.min(L.params.lockWords, FLIGHT_LOCK_WORDS);
    const ring = L.flight + worker * FLIGHT_ENTRIES * FLIGHT_ENTRY_WORDS;
    const line = L.workers + worker * L.workerWords;
    this.x.init(w(L.zspages), w(L.zspageWords), w(L.shadowAt), w(L.lockAt), words, w(ring), w(line), record ? 1 : 0);
    ({ begin: this.begin, end: this.end, add: this.add, peek: this.peek, lastOps: this.lastOps } = this.x);
    this.zspages = L.zspages;
    this.zspageWords = L.zspageWords;
    this.shadowOff = L.shadowAt;
  }

  /** Int32 index of zspage z's shadow words. */
  shadowAt(z: number): number {
    return this.zspages + z * this.zspageWords + this.shadowOff;
  }

  /** A ring entry alone: `gen` the OPS value as the operation started, `lockAt` the Int32 index of its lock words. */
  flightBegin(op: number, z: number, gen: number, lockAt: number): void {
    this.x.flightBegin(op, z, gen, w(lockAt));
  }

  flightEnd(ok: boolean, gen: number, lockAt: number): void {
    this.x.flightEnd(ok ? FLIGHT_STATUS.RETURNED : FLIGHT_STATUS.FAILED, gen, w(lockAt));
  }
}
