// The kernel primitives litmus files share with the C shim: the 64-bit and long families,
// conditional atomics, bit operations and the remaining barriers, with the shim's meaning.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../src/errors.js';
import { parseLitmus, runLitmus } from '../src/explorer/litmus/litmus.js';

const one = (init: string, body: string, exists: string) =>
  runLitmus(parseLitmus(`C T\n(* Result: Always *)\n{ ${init} }\nP0(int *x)\n{\n${body}\n}\nexists (${exists})\n`, 't.litmus'));

describe('kernel primitives in litmus files', () => {
  it('conditional atomics: what they return and write', () => {
    const r = one(
      'atomic_t v = ATOMIC_INIT(0); atomic64_t w = ATOMIC64_INIT(5); atomic_long_t n = ATOMIC_LONG_INIT(-3); atomic_t p = ATOMIC_INIT(2);',
      'int r0; int r1; int r2; int r3; int r4;\nr0 = atomic_dec_if_positive(v);\nr1 = atomic64_fetch_add_unless(w, 2, 5);\nr2 = atomic_long_inc_unless_negative(n);\nr3 = atomic_dec_unless_positive(p);\nr4 = atomic_fetch_add_unless(p, 3, 0);',
      '0:r0=-1 /\\ 0:r1=5 /\\ 0:r2=0 /\\ 0:r3=0 /\\ 0:r4=2 /\\ v=0 /\\ w=5 /\\ n=-3 /\\ p=5',
    );
    expect(r.observed).toBe('Always');
  });

  it('bit operations, add_negative, cmpxchg64, raw_ forms and smp_store_mb', () => {
    const r = one(
      'unsigned long f = 2; atomic64_t a = ATOMIC64_INIT(1); int y = 0; int s = 0; u64 c = 7;',
      'int r0; int r1; int r2; int r3; int r4; int r5;\nr0 = test_and_clear_bit(1, f);\nr1 = test_and_set_bit_lock(3, f);\nset_bit(0, f);\nr2 = test_bit(3, f);\nclear_bit_unlock(3, f);\nr3 = atomic64_add_negative(-2, a);\nraw_spin_lock(s);\nsmp_store_mb(y, 3);\nr4 = cmpxchg64(c, 7, 9);\nraw_spin_unlock(s);\nr5 = raw_atomic_long_read(a);',
      '0:r0=1 /\\ 0:r1=0 /\\ 0:r2=1 /\\ 0:r3=1 /\\ 0:r4=7 /\\ 0:r5=-1 /\\ f=1 /\\ y=3 /\\ c=9 /\\ s=0',
    );
    expect(r.observed).toBe('Always');
  });

  it('a bit number outside the word is bad input naming it', () => {
    expect(() => one('unsigned long f = 0;', 'set_bit(32, f);', 'f=0')).toThrow(BadInputError);
    expect(() => one('unsigned long f = 0;', 'set_bit(32, f);', 'f=0')).toThrow(/set_bit: the bit number must be 0..31, not '32'/);
  });

  it('smp_cond_load_acquire is not straight-line code: bad input', () => {
    expect(() => one('int y = 0;', 'int r0;\nr0 = smp_cond_load_acquire(y, VAL);', 'y=0')).toThrow(/unsupported primitive 'smp_cond_load_acquire'/);
  });
});
