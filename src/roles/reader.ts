// Reader: map an object, verify it, sleep holding it, verify again, unmap
// (zram reading a compressed page: zs_obj_read_begin() ... zs_obj_read_end()).
import { HDR, HND, SHADOW, writersIn } from '../arena/layout.js';
import { STATE } from '../invariants/held-state.js';
import { describeMismatch } from '../invariants/integrity.js';
import { newMapping, zsObjReadBegin, zsObjReadEndZspage } from '../model/map.js';
import { zspageReadUnlock } from '../model/zspage-lock.js';
import { COV, hit } from '../model/coverage.js';
import { SITE } from '../model/lock-sites.js';
import { contentSeed, verifyContent } from '../model/object.js';
import { hndAt, zspShadowAt } from '../model/zs.js';
import { Rng } from '../rng.js';
import type { RoleContext } from './context.js';
import { COUNTER } from './counters.js';
import { isZero, sampleNs } from './dist.js';
import { METRIC } from './metrics.js';
// The harness's own atomics, not the router a lock module sees as the global (atomics-router).
import { RAW_ATOMICS as Atomics } from '../locks/atomics-router.js';

export function readerStep(ctx: RoleContext): () => void {
  const { zs, mem, rng, metrics, counters, held, sink, shadow: hooks } = ctx;
  const cfg = ctx.task.scenario.readers;
  const span = cfg.hotObjects > 0 ? Math.min(cfg.hotObjects, ctx.task.stable) : ctx.task.stable;
  // Contention focus on a share of the reads only: the rest keep the whole pool's access pattern.
  const everywhere = cfg.hotObjects > 0 && cfg.hotFraction < 1 ? ctx.task.stable : 0;
  const sleeps = !isZero(cfg.hold) && cfg.sleepFraction > 0;
  const m = newMapping();
  // Three clock reads and two histogram records cost nearly as much as the rest of
  // a read that does not sleep (docs/BENCHMARKS.md): time one read in `timingSample`. The
  // gaps come from a stream of their own, so that the knob changes no other choice.
  const sample = cfg.timingSample;
  const gaps = new Rng(ctx.task.seed, -1 - ctx.task.workerIndex);
  let untilTimed = 1;

  const verify = (h: number, seed: number, when: string): boolean => {
    const bad = verifyContent(mem, m.seg, seed);
    counters[COUNTER.BYTES_VERIFIED]! += (m.seg.len0 + m.seg.len1) * 4;
    if (bad < 0) return true;
    sink.report('integrity', `handle ${h}: ${describeMismatch(zs, m, seed, bad)} ${when}`, m.zspage, h);
    return false;
  };

  return () => {
    const h = everywhere > 0 && rng.float() >= cfg.hotFraction ? rng.below(everywhere) : rng.below(span);
    const timed = --untilTimed === 0;
    if (timed) untilTimed = 1 + gaps.below(2 * sample - 1);
    if (ctx.noise) ctx.noise.on = !timed;
    held.set(STATE.READ_LOCKING, -1);
    const t0 = timed ? performance.now() : 0;
    zsObjReadBegin(zs, h, m);
    const t1 = timed ? performance.now() : 0;
    if (timed) metrics.record(METRIC['reader-lock-wait'], Math.round((t1 - t0) * 1e6));
    const seed = contentSeed(h, mem[hndAt(zs, h, HND.VERSION)]!);
    if (verify(h, seed, 'right after the read lock') && sleeps && rng.float() < cfg.sleepFraction) {
      const ns = sampleNs(cfg.hold, rng);
      if (ns > 0) {
        const shadow = zspShadowAt(zs, m.zspage);
        const trylocks = Atomics.load(mem, shadow + SHADOW.TRYLOCK_SEQ);
        zs.cpu.locks.mightSleep(SITE.zram_read);
        hooks.sleeping(m.zspage, true);
        // On the stop word, so that stopping the run wakes every sleeper.
        Atomics.wait(mem, HDR.STOP, 0, ns / 1e6);
        hooks.sleeping(m.zspage, false);
        if (Atomics.load(mem, shadow + SHADOW.TRYLOCK_SEQ) !== trylocks) hit(zs.coverage, COV.SLEPT_ACROSS_TRYLOCK);
        counters[COUNTER.SLEEPING_READS]!++;
        if (writersIn(Atomics.load(mem, shadow + SHADOW.HOLDERS)) !== 0) {
          sink.report('exclusion', `a writer is inside zspage ${m.zspage} while a reader holds it`, m.zspage, h);
        }
        verify(h, seed, 'after sleeping with the read lock held');
      }
    }
    // Plain, as the content check reads the object: an aligned word never tears, and a move
    // made while the read lock was held came before this read, which stays after the hold
    // (typed-array loads keep their order with the calls around them). A seq-cst load
    // (handleToObj) would see no more, for a runtime call on every read (bench reader-cycles).
    const now = mem[hndAt(zs, h, HND.LOCATION)]!;
    if (now !== m.obj) {
      sink.report('integrity', `handle ${h} moved from object ${m.obj} to ${now} while the read lock was held`, m.zspage, h);
    }
    if (timed) metrics.record(METRIC['reader-hold'], Math.round((performance.now() - t1) * 1e6));
    // zs_obj_read_end(), in two steps: what it will unlock is judged before lockdep sees it.
    const z = zsObjReadEndZspage(zs, m);
    if (z < 0) {
      sink.report('integrity', `zs_obj_read_end: handle ${h} resolves to no zspage; zspage ${m.zspage} stays read-locked`, m.zspage, h);
    } else {
      if (z !== m.zspage && now === m.obj) {
        sink.report('integrity', `zs_obj_read_end: handle ${h} now resolves to zspage ${z}, not the read-locked zspage ${m.zspage}`, m.zspage, h);
      }
      zspageReadUnlock(zs, z, SITE.zs_obj_read_end);
    }
  };
}
