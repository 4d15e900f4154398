// The one interceptor of a lock's atomics (src/atomics/intercepted.ts): every operation
// goes through its hook once and then does what the raw atomics do, for each subclass.
import { describe, expect, it } from 'vitest';
import { BoundedAtomics, SpinBudgetExceeded } from '../src/atomics/bounded.js';
import type { InterceptedAtomics } from '../src/atomics/intercepted.js';
import { ProbeAtomics } from '../src/invariants/probe-atomics.js';
import { RAW_ATOMICS64 } from '../src/locks/atomics64.js';
import { newCpu } from '../src/model/kernel-locks.js';

/** Each operation, on a memory; what it returns and leaves in mem[2..4) is compared against the raw atomics. */
const OPS: Record<string, (k: InterceptedAtomics, m: Int32Array) => unknown> = {
  load: (k, m) => k.load(m, 2),
  store: (k, m) => k.store(m, 2, 7),
  add: (k, m) => k.add(m, 2, 3),
  sub: (k, m) => k.sub(m, 2, 3),
  and: (k, m) => k.and(m, 2, 6),
  or: (k, m) => k.or(m, 2, 8),
  xor: (k, m) => k.xor(m, 2, 5),
  exchange: (k, m) => k.exchange(m, 2, 9),
  compareExchange: (k, m) => k.compareExchange(m, 2, 5, 11),
  load64: (k, m) => k.load64(m, 2),
  store64: (k, m) => k.store64(m, 2, -7n),
  add64: (k, m) => k.add64(m, 2, 1n << 33n),
  and64: (k, m) => k.and64(m, 2, 6n),
  or64: (k, m) => k.or64(m, 2, 1n << 40n),
  xor64: (k, m) => k.xor64(m, 2, 5n),
  exchange64: (k, m) => k.exchange64(m, 2, 9n),
  compareExchange64: (k, m) => k.compareExchange64(m, 2, 5n, -1n),
  notify: (k, m) => k.notify(m, 2, 1),
  fence: (k) => k.fence(),
  plainLoad: (k, m) => k.plainLoad(m, 2),
  plainStore: (k, m) => k.plainStore(m, 2, 13),
  relax: (k) => k.relax(),
};
/** What each operation does on the runtime's own atomics. */
const RAW: Record<string, (m: Int32Array) => unknown> = {
  load: (m) => Atomics.load(m, 2),
  store: (m) => Atomics.store(m, 2, 7),
  add: (m) => Atomics.add(m, 2, 3),
  sub: (m) => Atomics.sub(m, 2, 3),
  and: (m) => Atomics.and(m, 2, 6),
  or: (m) => Atomics.or(m, 2, 8),
  xor: (m) => Atomics.xor(m, 2, 5),
  exchange: (m) => Atomics.exchange(m, 2, 9),
  compareExchange: (m) => Atomics.compareExchange(m, 2, 5, 11),
  load64: (m) => RAW_ATOMICS64.load64(m, 2),
  store64: (m) => RAW_ATOMICS64.store64(m, 2, -7n),
  add64: (m) => RAW_ATOMICS64.add64(m, 2, 1n << 33n),
  and64: (m) => RAW_ATOMICS64.and64(m, 2, 6n),
  or64: (m) => RAW_ATOMICS64.or64(m, 2, 1n << 40n),
  xor64: (m) => RAW_ATOMICS64.xor64(m, 2, 5n),
  exchange64: (m) => RAW_ATOMICS64.exchange64(m, 2, 9n),
  compareExchange64: (m) => RAW_ATOMICS64.compareExchange64(m, 2, 5n, -1n),
  notify: (m) => Atomics.notify(m, 2, 1),
  fence: () => undefined,
  plainLoad: (m) => m[2],
  plainStore: (m) => void (m[2] = 13),
  relax: () => undefined,
};

const memory = () => {
  const m = new Int32Array(new SharedArrayBuffer(32));
  m.set([0, 0, 5, 0]);
  return m;
};

describe.each(Object.keys(OPS))('%s', (op) => {
  it('does what the raw atomics do, after the probe hook runs once', () => {
    const probe = new ProbeAtomics(newCpu(), new Int32Array(64), { report: () => undefined });
    let ticks = 0;
    probe.beforeOp = () => void ticks++;
    const [mine, raw] = [memory(), memory()];
    expect(OPS[op]!(probe, mine)).toEqual(RAW[op]!(raw));
    expect([...mine]).toEqual([...raw]);
    expect(ticks).toBe(1);
  });

  it('spends one of the bounded atomics budget', () => {
    const bounded = new BoundedAtomics(1);
    const m = memory();
    OPS[op]!(bounded, m);
    expect(() => OPS[op]!(bounded, m)).toThrow(SpinBudgetExceeded);
    bounded.reset();
    expect(() => OPS[op]!(bounded, m)).not.toThrow();
  });
});

describe('wait', () => {
  it('the bounded atomics spend on it and cap its sleep', () => {
    const bounded = new BoundedAtomics(1);
    const m = memory();
    const t0 = performance.now();
    expect(bounded.wait(m, 2, 5, 10_000)).toBe('timed-out');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(() => bounded.wait(m, 2, 5)).toThrow(SpinBudgetExceeded);
  });

  it('the probe reports one in atomic context, naming its kernel call', () => {
    const cpu = newCpu();
    const reports: string[] = [];
    const probe = new ProbeAtomics(cpu, new Int32Array(64), { report: (kind, m) => void reports.push(`${kind}: ${m}`) });
    expect(probe.wait(memory(), 2, 4)).toBe('not-equal');
    expect(reports).toEqual([]);
    probe.preempt(1);
    probe.wait(memory(), 2, 4, 0, 'msleep');
    expect(reports).toEqual(['slept-in-atomic: the lock called msleep with preempt_count 1']);
  });
});
