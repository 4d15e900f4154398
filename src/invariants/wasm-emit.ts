// Just enough of the WebAssembly binary format to write the shadow's core (shadow-core) as
// code: the instructions it uses, functions over i32 parameters, mutable i32 globals and the
// imported shared memory. Opcodes and encodings: the WebAssembly core specification, section 5
// (binary format), and the threads proposal for the atomic instructions (prefix 0xfe).

export type Code = readonly number[];

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32 and i64 constants that fit a double exactly). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n = Math.floor(n / 128);
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const I32 = 0x7f;
const I64 = 0x7e;
const VOID = 0x40;

/** The instructions the core uses; a memory access takes its byte offset (an aligned word, or 64-bit word). */
export const op = {
  local: (i: number): Code => [0x20, ...uleb(i)],
  set: (i: number): Code => [0x21, ...uleb(i)],
  tee: (i: number): Code => [0x22, ...uleb(i)],
  global: (i: number): Code => [0x23, ...uleb(i)],
  setGlobal: (i: number): Code => [0x24, ...uleb(i)],
  i32: (n: number): Code => [0x41, ...sleb(n)],
  i64: (n: number): Code => [0x42, ...sleb(n)],
  load: (offset: number): Code => [0x28, 2, ...uleb(offset)],
  store: (offset: number): Code => [0x36, 2, ...uleb(offset)],
  add: [0x6a],
  mul: [0x6c],
  and: [0x71],
  shl: [0x74],
  shrU: [0x76],
  ltS: [0x48],
  geS: [0x4e],
  i64Add: [0x7c],
  i64Shl: [0x86],
  i64ShrU: [0x88],
  wrap: [0xa7],
  extendS: [0xac],
  extendU: [0xad],
  /** i64.atomic.rmw.add (sequentially consistent): the old value. */
  atomicAdd64: (offset: number): Code => [0xfe, 0x1f, 3, ...uleb(offset)],
  /** i64.atomic.load (sequentially consistent). */
  atomicLoad64: (offset: number): Code => [0xfe, 0x11, 3, ...uleb(offset)],
  call: (f: number): Code => [0x10, ...uleb(f)],
  block: [0x02, VOID],
  loop: [0x03, VOID],
  if: [0x04, VOID],
  end: [0x0b],
  br: (depth: number): Code => [0x0c, ...uleb(depth)],
  brIf: (depth: number): Code => [0x0d, ...uleb(depth)],
  return: [0x0f],
} as const;

export interface WasmFunction {
  name: string;
  params: number;
  /** Whether it returns an i32. */
  result: boolean;
  /** Extra locals after the parameters, in order. */
  locals: ('i32' | 'i64')[];
  body: Code[];
}

const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body];
const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
const name = (s: string): Code => [...uleb(s.length), ...Buffer.from(s, 'latin1')];

/**
 * A module importing `env.memory` (shared, any size up to 4 GiB), with `globals` mutable i32
 * globals starting at 0, and `fns` exported by name (function i is index i, for op.call).
 */
export function wasmModule(globals: number, fns: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const types = fns.map((f) => [0x60, ...uleb(f.params), ...Array<number>(f.params).fill(I32), ...(f.result ? [1, I32] : [0])]);
  const memory = [...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(0), ...uleb(65536)];
  const global = Array.from({ length: globals }, () => [I32, 1, ...op.i32(0), ...op.end]);
  const code = fns.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t === 'i32' ? I32 : I64]));
    const body = [...locals, ...f.body.flat(), ...op.end];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([memory])),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(6, vec(global)),
    ...section(7, vec(fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(code)),
  ]);
}
