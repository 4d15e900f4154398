// The shim's atomic API against the kernel's: the generated families are fresh, a probe that
// calls every operation of Linux 6.12's atomic-instrumented.h compiles and runs, and each
// operation and ordering does what atomic_t.txt says on random inputs.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { pairValue, RAW_ATOMICS64, setPair } from '../src/locks/atomics64.js';
import { loadCLock } from '../src/locks/c/load.js';
import type { LockAtomics, LockDesign, MemoryOrder } from '../src/locks/contract.js';
import { generate, OUTPUT, TABLE } from '../gen/atomics/gen-atomics.mjs';
import { dispatchSource, parseFunctions, parseMacros, probeSource } from '../gen/atomics/gen-probe.mjs';
import { reference, widthOf, type Call } from './atomic-reference.js';
import { ROOT } from './helpers.js';

const HEADER = readFileSync(join(ROOT, 'test/fixtures/kernel/6.12/atomic-instrumented.h'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'zss-atomics-'));

async function compile(name: string, text: string): Promise<LockDesign> {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return loadCLock(pathToFileURL(path).href);
}

/** The raw atomics, noting each access's name and effective ordering. */
function recording(): { k: LockAtomics; log: { op: string; order: MemoryOrder }[] } {
  const log: { op: string; order: MemoryOrder }[] = [];
  const note = (op: string, order: MemoryOrder | undefined) => log.push({ op, order: order ?? 'seq_cst' });
  const raw = Atomics as unknown as Required<LockAtomics>;
  const k: LockAtomics = {
    load: (m, i, o) => (note('load', o), raw.load(m, i)),
    store: (m, i, v, o) => (note('store', o), raw.store(m, i, v)),
    add: (m, i, v, o) => (note('add', o), raw.add(m, i, v)),
    sub: (m, i, v, o) => (note('sub', o), raw.sub(m, i, v)),
    and: (m, i, v, o) => (note('and', o), raw.and(m, i, v)),
    or: (m, i, v, o) => (note('or', o), raw.or(m, i, v)),
    xor: (m, i, v, o) => (note('xor', o), raw.xor(m, i, v)),
    exchange: (m, i, v, o) => (note('exchange', o), raw.exchange(m, i, v)),
    compareExchange: (m, i, e, r, o, f) => {
      const seen = raw.compareExchange(m, i, e, r);
      note('compareExchange', seen === e ? o : (f ?? o));
      return seen;
    },
    wait: (m, i, v, t) => raw.wait(m, i, v, t),
    notify: (m, i, c) => raw.notify(m, i, c),
    fence: (o) => note('fence', o),
    load64: (m, i, o) => (note('load64', o), RAW_ATOMICS64.load64(m, i)),
    store64: (m, i, v, o) => (note('store64', o), RAW_ATOMICS64.store64(m, i, v)),
    add64: (m, i, v, o) => (note('add64', o), RAW_ATOMICS64.add64(m, i, v)),
    and64: (m, i, v, o) => (note('and64', o), RAW_ATOMICS64.and64(m, i, v)),
    or64: (m, i, v, o) => (note('or64', o), RAW_ATOMICS64.or64(m, i, v)),
    xor64: (m, i, v, o) => (note('xor64', o), RAW_ATOMICS64.xor64(m, i, v)),
    exchange64: (m, i, v, o) => (note('exchange64', o), RAW_ATOMICS64.exchange64(m, i, v)),
    compareExchange64: (m, i, e, r, o, f) => {
      const seen = RAW_ATOMICS64.compareExchange64(m, i, e, r);
      note('compareExchange64', seen === BigInt.asIntN(64, e) ? o : (f ?? o));
      return seen;
    },
  };
  return { k, log };
}

describe('the generated atomic families', () => {
  it('the committed header is what the generator makes of the committed table', () => {
    const fresh = generate(readFileSync(TABLE, 'utf8')).text;
    expect(readFileSync(OUTPUT, 'utf8')).toBe(fresh);
  });

  it('has every atomic_t, atomic64_t and atomic_long_t function of the 6.12 instrumented header', () => {
    const names = new Set(generate(readFileSync(TABLE, 'utf8')).names);
    const wanted = parseFunctions(HEADER).map((f) => f.name);
    expect(wanted).toHaveLength(255);
    expect(wanted.filter((n) => !names.has(n))).toEqual([]);
  });
});

describe('the generated probe', () => {
  it('calls every function and xchg/cmpxchg macro of atomic-instrumented.h, compiles and runs', async () => {
    const probe = probeSource(HEADER);
    expect(probe.functions).toBe(255);
    // every macro but the 128-bit ones (wasm32 has no 128-bit atomics, as most arches)
    expect(probe.macros).toBe(parseMacros(HEADER).length - 10);
    expect(probe.skipped.every((m) => m.includes('128'))).toBe(true);
    const design = await compile('probe.c', probe.text);
    const { k, log } = recording();
    const mem = new Int32Array(16);
    design.create(k).init(mem, 0);
    // struct zspage: a64, x64 (4 words), a, along, x, calls
    expect(mem[7]).toBe(probe.functions + probe.macros);
    const ops = new Set(log.map((e) => e.op));
    for (const op of ['load', 'store', 'add', 'and', 'or', 'xor', 'exchange', 'compareExchange']) {
      expect(ops).toContain(op);
      expect(ops).toContain(`${op}64`);
    }
  });
});

describe('each operation and ordering against the reference (atomic_t.txt)', () => {
  const fns = dispatchSource(HEADER).functions;
  let design: LockDesign;
  beforeAll(async () => {
    design = await compile('dispatch.c', dispatchSource(HEADER).text);
  }, 180_000);

  // struct zspage: op, pad, arg[2], result, old, a64 (words 10-11), a (12), along (13)
  const ARG = 2;
  const RESULT = 6;
  const OLD = 8;
  const valueAt = (name: string) => (name.startsWith('atomic64_') ? 10 : name.startsWith('atomic_long_') ? 13 : 12);

  let seed = 0x2545f491;
  const rand32 = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed | 0;
  };
  const randomValue = (w: number): bigint => {
    const edges = [0n, 1n, -1n, 2n, -2n, 1n << BigInt(w - 1), (1n << BigInt(w - 1)) - 1n];
    const r = rand32() & 7;
    if (r < 3) return BigInt.asIntN(w, edges[(rand32() >>> 0) % edges.length]!);
    return BigInt.asIntN(w, pairValue(rand32(), rand32()));
  };

  it('255 operations x 40 random inputs: result, value, *old and ordering', () => {
    const { k, log } = recording();
    const ops = design.create(k);
    const mem = new Int32Array(16);
    let checked = 0;
    for (const [index, f] of fns.entries()) {
      const w = widthOf(f.name);
      for (let n = 0; n < 40; n++) {
        const value = randomValue(w);
        const names = f.params.filter((p) => !p.type.includes('*')).map((p) => p.name);
        const args: Record<string, bigint> = {};
        for (const name of names) args[name] = randomValue(w);
        // half the time, make the compare or the `unless` hold
        if (n % 2 === 0 && 'u' in args) args.u = value;
        if (n % 2 === 0 && 'old' in args) args.old = value;
        const old = n % 2 === 0 ? value : randomValue(w);
        const call: Call = { name: f.name, args, value, old };
        mem.fill(0);
        mem[0] = index;
        names.forEach((name, j) => setPair(mem, ARG + 2 * j, args[name]!));
        setPair(mem, OLD, old);
        if (w === 64) setPair(mem, valueAt(f.name), value);
        else mem[valueAt(f.name)] = Number(value);
        log.length = 0;
        ops.init(mem, 0);
        const want = reference(call);
        const at = valueAt(f.name);
        const got = {
          result: BigInt.asIntN(w, pairValue(mem[RESULT]!, mem[RESULT + 1]!)),
          value: w === 64 ? pairValue(mem[at]!, mem[at + 1]!) : BigInt(mem[at]!),
          old: w === 64 ? pairValue(mem[OLD]!, mem[OLD + 1]!) : BigInt(mem[OLD]!),
          order: log[log.length - 1]?.order,
        };
        const expected = { ...want, result: BigInt.asIntN(w, want.result), old: w === 64 ? want.old : BigInt.asIntN(32, want.old) };
        expect(got, `${f.name}(${JSON.stringify(call, (_, x) => (typeof x === 'bigint' ? String(x) : x))})`).toEqual(expected);
        checked++;
      }
    }
    expect(checked).toBe(255 * 40);
  });

  it('the reference itself: fetch_add_acquire is acquire, a failed add_unless changes nothing and is unordered', () => {
    const want = reference({ name: 'atomic_fetch_add_acquire', args: { i: 2n }, value: 5n, old: 0n });
    expect(want).toEqual({ result: 5n, value: 7n, old: 0n, order: 'acquire' });
    expect({ ...want, order: 'release' }).not.toEqual(want);
    expect(reference({ name: 'atomic_add_unless', args: { a: 1n, u: 5n }, value: 5n, old: 0n })).toEqual({
      result: 0n,
      value: 5n,
      old: 0n,
      order: 'relaxed',
    });
  });
});
