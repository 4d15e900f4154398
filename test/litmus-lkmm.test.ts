// The axiomatic LKMM checker (src/explorer/litmus/lkmm/): the kernel's own 47 litmus files
// against their Result lines, herd7's C litmus syntax, and cross-checks with the weak engine.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../src/errors.js';
import { checkLitmus, parseLitmus, parseLkFile, runLitmus, runLitmusFile } from '../src/explorer/litmus/litmus.js';
import { ROOT } from './helpers.js';

const KERNEL = join(ROOT, 'test/fixtures/litmus/linux-6.12');
const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
const KERNEL_FILES = walk(KERNEL).filter((f) => f.endsWith('.litmus'));

describe('the kernel litmus tests (Linux 6.12): every Result line agrees', () => {
  it('has all 47 files', () => {
    expect(KERNEL_FILES).toHaveLength(47);
  });
  for (const f of KERNEL_FILES) {
    it(relative(KERNEL, f), () => {
      const r = runLitmusFile(f);
      expect(r.expected).not.toBeNull();
      expect({ test: r.test, observed: r.observed, executions: r.executions, agrees: r.agrees }).toMatchObject({ agrees: true });
      if (r.expected === 'DEADLOCK') expect(r.executions).toBe(0);
      else expect(r.executions).toBeGreaterThan(0);
    });
  }

  it('load buffering, S and 2+2W are allowed, each with a witness whose rf and co show it', () => {
    const lb = runLitmusFile(join(KERNEL, 'tools/memory-model/litmus-tests/LB+poonceonces.litmus'));
    expect(lb.observed).toBe('Sometimes');
    expect(lb.witness).toEqual(expect.arrayContaining(['rf: P0:W[once] y=1 -> P1:R[once] y=1', 'rf: P1:W[once] x=1 -> P0:R[once] x=1']));
    const s = runLitmusFile(join(KERNEL, 'tools/memory-model/litmus-tests/S+poonceonces.litmus'));
    expect(s.observed).toBe('Sometimes');
    expect(s.witness).toContain('co x: init:W x=0 -> P1:W[once] x=1 -> P0:W[once] x=2');
    const w2 = runLitmusFile(join(ROOT, 'litmus/2+2W+poonceonces.litmus'));
    expect(w2.observed).toBe('Sometimes');
  });
});

describe("herd7's own LKMM tests (herdtools7 catalogue/linux/tests): herd7's verdict and counts", () => {
  const dir = join(ROOT, 'test/fixtures/litmus/herdtools7');
  const observed = new Map(
    readFileSync(join(dir, 'observations.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([, name, verdict, pos, neg]) => [name!, { verdict: verdict!, pos: Number(pos), neg: Number(neg) }]),
  );
  const files = readdirSync(dir).filter((f) => f.endsWith('.litmus'));
  it('has all 79 files and an observation for each', () => {
    expect(files).toHaveLength(79);
    expect(observed.size).toBe(79);
  });
  for (const f of files) {
    it(f, () => {
      const r = runLitmusFile(join(dir, f));
      const herd = observed.get(r.test);
      expect(herd).toBeDefined();
      expect({ verdict: r.observed, pos: r.witnesses, neg: r.executions - r.witnesses }).toEqual(herd);
    });
  }
});

const lk = (body: string, result = 'Sometimes') => checkLitmus(parseLkFile(`C T\n(* Result: ${result} *)\n${body}`, 't.litmus'));

describe("herd7's C litmus syntax", () => {
  it('comments anywhere, if/else with a control dependency, locals with initializers', () => {
    const r = lk(`{}
P0(int *x, int *y) // reader
{
	int r0 = READ_ONCE(*x); (* an OCaml comment *)
	if (r0 == 1) { WRITE_ONCE(*y, 1); } else { WRITE_ONCE(*y, 2); } /* C comment */
}
P1(int *x, int *y) { int r1 = READ_ONCE(*y); smp_mb(); WRITE_ONCE(*x, 1); }
exists (0:r0=1 /\\ 1:r1=1)`);
    // the control dependency orders P0's read before its write: LB with ctrl + mb is forbidden
    expect(r.observed).toBe('Never');
    const noCtrl = lk(`{}
P0(int *x, int *y) { int r0 = READ_ONCE(*x); if (r0 == 1) { } WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r1 = READ_ONCE(*y); smp_mb(); WRITE_ONCE(*x, 1); }
exists (0:r0=1 /\\ 1:r1=1)`);
    // after the if, the write depends on nothing (control-dependencies.txt)
    expect(noCtrl.observed).toBe('Sometimes');
  });

  it('pointers: initial states y=&x and int *p = &x, rcu_dereference, exists naming an address', () => {
    for (const init of ['{ y = &x; z = 1; }', '{ int *y = &x; int z = 1; }']) {
      const r = lk(`${init}
P0(int **y, int *z) { WRITE_ONCE(*z, 2); rcu_assign_pointer(*y, z); }
P1(int **y) { int *r0; int r1; rcu_read_lock(); r0 = rcu_dereference(*y); r1 = READ_ONCE(*r0); rcu_read_unlock(); }
exists (1:r0=z /\\ 1:r1=1)`, 'Never');
      expect(r).toMatchObject({ observed: 'Never', agrees: true });
      expect(r.states.some((s) => s.includes('1:r0=z; 1:r1=2'))).toBe(true);
      expect(r.states.some((s) => s.includes('1:r0=x; 1:r1=0'))).toBe(true);
    }
  });

  it('filter, ~exists, forall, \\/ and register initial values', () => {
    const text = (q: string) => `{ 0:r0 = 5; }
P0(int *x) { int r1 = READ_ONCE(*x); }
P1(int *x) { WRITE_ONCE(*x, 1); }
${q}`;
    expect(lk(text('exists (0:r1=0 \\/ 0:r1=1)'), 'Always').observed).toBe('Always');
    expect(lk(text('filter (0:r1=1) exists (0:r0=5)'), 'Always')).toMatchObject({ observed: 'Always', executions: 1 });
    expect(lk(text('forall (0:r1=1)')).observed).toBe('Sometimes');
    expect(lk(text('~exists (0:r1=2)'), 'Never').observed).toBe('Never');
    expect(lk(text('locations [x; 0:r1] exists (x=1 /\\ 0:r1=0)')).observed).toBe('Sometimes');
    expect(lk(text('filter (0:r1=1) locations [x] exists (0:r0=5)'), 'Always')).toMatchObject({ observed: 'Always', executions: 1 });
  });

  it('struct types and casts in declarations and the initial state', () => {
    const r = lk(`{ struct foo *p = &x; struct srcu_struct s; x = 3; }
P0(int *x, struct foo **p) { struct foo *r0; int r1; r0 = READ_ONCE(*p); r1 = READ_ONCE(*(int *)r0); }
exists (0:r1=3)`, 'Always');
    expect(r.observed).toBe('Always');
  });

  it('bad input names the file, the line and what is wrong', () => {
    expect(() => parseLkFile('C T\n{}\nP0(int *x) {\n  while (1) { }\n}\nexists (x=0)', 'w.litmus')).toThrow(/w\.litmus:4: P0: 'while' is not supported/);
    expect(() => lk('{}\nP0(int *x) { int r0 = READ_ONCE(*q); }\nexists (x=0)')).toThrow(BadInputError);
    expect(() => lk('{}\nP0(int *x) { int r0 = READ_ONCE(*q); }\nexists (x=0)')).toThrow(/'q' is neither a register nor a parameter/);
  });
});

describe('the LKMM model', () => {
  it('a failed cmpxchg is unordered; smp_mb__after_atomic orders it (Documentation/atomic_t.txt)', () => {
    const sb = (fence: string) => `{}
P0(int *x, int *y, int *z) { int r0; int r1; WRITE_ONCE(*x, 1); r1 = cmpxchg(z, 1, 0); ${fence} r0 = READ_ONCE(*y); }
P1(int *x, int *y, int *z) { int r0; int r1; WRITE_ONCE(*y, 1); r1 = cmpxchg(z, 1, 0); ${fence} r0 = READ_ONCE(*x); }
exists (0:r0=0 /\\ 1:r0=0)`;
    expect(lk(sb('')).observed).toBe('Sometimes');
    expect(lk(sb('smp_mb__after_atomic();')).observed).toBe('Never');
  });

  it('spin_trylock inside its own critical section fails; spin_is_locked sees the holder', () => {
    const r = lk(`{}
P0(spinlock_t *s) { int r0; int r1; spin_lock(s); r0 = spin_trylock(s); r1 = spin_is_locked(s); spin_unlock(s); }
exists (0:r0=0 /\\ 0:r1=1)`, 'Always');
    expect(r.observed).toBe('Always');
  });

  it('SRCU: a grace period waits for a read-side section on the same srcu_struct only', () => {
    const t = (sp: string) => `{}
P0(int *x, int *y, struct srcu_struct *s, struct srcu_struct *t) { int r0; int i = srcu_read_lock(s); WRITE_ONCE(*x, 1); r0 = READ_ONCE(*y); srcu_read_unlock(s, i); }
P1(int *x, int *y, struct srcu_struct *s, struct srcu_struct *t) { int r1; WRITE_ONCE(*y, 1); synchronize_srcu(${sp}); r1 = READ_ONCE(*x); }
exists (0:r0=0 /\\ 1:r1=0)`;
    expect(lk(t('s')).observed).toBe('Never');
    expect(lk(t('t')).observed).toBe('Sometimes');
  });

  it('plain accesses: a race is flagged, a race-free handoff is not', () => {
    const race = lk('{}\nP0(int *x) { *x = 1; }\nP1(int *x) { int r0; r0 = *x; }\nexists (1:r0=1)');
    expect(race.dataRace).toBe(true);
    const ok = lk(`{}
P0(int *x, int *f) { *x = 1; smp_store_release(f, 1); }
P1(int *x, int *f) { int r0; int r1 = 0; r0 = smp_load_acquire(f); if (r0) r1 = *x; }
exists (1:r0=1 /\\ 1:r1=0)`, 'Never');
    expect(ok).toMatchObject({ observed: 'Never', dataRace: false });
  });
});

describe('LKMM against the weak engine (LK-RA) and sequential consistency on random programs', () => {
  // Random 2..3-thread programs over x and y. The weak engine is never weaker than LKMM, so
  // SC's final states ⊆ LK-RA's ⊆ LKMM's; with smp_mb() after every statement LKMM gives SC's.
  const ops = ['WRITE_ONCE(*x, $V)', 'WRITE_ONCE(*y, $V)', '$R = READ_ONCE(*x)', '$R = READ_ONCE(*y)', 'smp_store_release(y, $V)', '$R = smp_load_acquire(x)', 'atomic_inc(x)', '$R = xchg(y, $V)', '$R = cmpxchg(x, 0, $V)', 'smp_wmb()', 'smp_rmb()'];
  let seed = 4242;
  const next = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const program = (fenced: boolean) => {
    const threads = 2 + next(2);
    let text = 'C random\n{}\n';
    for (let t = 0; t < threads; t++) {
      const n = 1 + next(threads === 2 ? 3 : 2);
      const body: string[] = ['int r0 = 0;', 'int r1 = 0;', 'int r2 = 0;'];
      for (let i = 0; i < n; i++) {
        body.push(ops[next(ops.length)]!.replace('$R', `r${i}`).replace('$V', String(t + 1)) + ';');
        if (fenced) body.push('smp_mb();');
      }
      text += `P${t}(int *x, int *y) { ${body.join(' ')} }\n`;
    }
    return text + 'exists (x=1)';
  };
  /** 'P:r=v' and 'x=v' of a state string, each register defaulting to 0. */
  const project = (states: string[], threads: number) =>
    new Set(
      states.map((s) => {
        const m = new Map(s.split('; ').map((kv) => kv.split('=') as [string, string]));
        const keys = ['x', 'y'];
        for (let t = 0; t < threads; t++) for (let r = 0; r < 3; r++) keys.push(`${t}:r${r}`);
        return keys.map((k) => `${k}=${m.get(k) ?? '0'}`).join(' ');
      }),
    );
  it('SC ⊆ LK-RA ⊆ LKMM; fenced: LKMM = SC', () => {
    for (let i = 0; i < 40; i++) {
      const fenced = i % 2 === 0;
      const text = program(fenced);
      const threads = (text.match(/^P\d/gm) ?? []).length;
      const lkmm = project(checkLitmus(parseLkFile(text, 'random')).states, threads);
      const old = parseLitmus(text.replace(/int (r\d) = 0;/g, 'int $1;'), 'random');
      const lkra = project(runLitmus(old).states, threads);
      const sc = project(runLitmus(old, { sc: true }).states, threads);
      for (const s of sc) expect(lkra.has(s), `${text}\nSC state ${s} missing under LK-RA`).toBe(true);
      for (const s of lkra) expect(lkmm.has(s), `${text}\nLK-RA state ${s} missing under LKMM`).toBe(true);
      if (fenced) expect([...lkmm].sort(), text).toEqual([...sc].sort());
    }
  });
});

describe('the file reader', () => {
  it('reads the fixtures byte for byte as the kernel has them (Result lines intact)', () => {
    const text = readFileSync(join(KERNEL, 'Documentation/litmus-tests/locking/RM-broken.litmus'), 'utf8');
    expect(text).toMatch(/Result: DEADLOCK/);
    expect(parseLkFile(text, 'RM-broken').expected).toBe('DEADLOCK');
  });
});
