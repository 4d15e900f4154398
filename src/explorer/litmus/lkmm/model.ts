// The Linux-kernel memory model's consistency check of one candidate execution, relation by
// relation as tools/memory-model/linux-kernel.cat (with linux-kernel.bell and lock.cat)
// defines them: coherence, atomicity, happens-before, propagation, RCU, plain coherence,
// and the data-race flag.
import * as E from './events.js';
import type { Ev } from './events.js';
import { Rel } from './rel.js';

/** A candidate execution: events (initial writes first) and its po, rf, co and rmw (with lk-rmw). */
export interface Exec {
  ev: Ev[];
  /** Global index of each event's thread-local dependency indices: base[tid] + local. */
  base: number[];
  po: Rel;
  rf: Rel;
  co: Rel;
  rmw: Rel;
}

export interface Verdict {
  /** The axiom that fails, or null when the execution is allowed. */
  violates: string | null;
  dataRace: boolean;
}

/** Relations fixed by the threads' runs (not by rf and co), computed once per combination of runs. */
export interface Static {
  n: number;
  is: (f: number) => (i: number) => boolean;
  M: (i: number) => boolean;
  R: (i: number) => boolean;
  W: (i: number) => boolean;
  int: Rel;
  ext: Rel;
  loc: Rel;
  poLoc: Rel;
  addr0: Rel;
  data0: Rel;
  ctrl0: Rel;
  rcuRscsi: Rel;
}

export function statics(x: Omit<Exec, 'rf' | 'co'>): Static {
  const { ev, base, po } = x;
  const n = ev.length;
  const is = (f: number) => (i: number) => (ev[i]!.flags & f) !== 0;
  const R = (i: number) => ev[i]!.kind === 'R';
  const W = (i: number) => ev[i]!.kind === 'W';
  const M = (i: number) => ev[i]!.kind !== 'F';
  const same = (i: number, j: number) => ev[i]!.tid >= 0 && ev[i]!.tid === ev[j]!.tid;
  const int = new Rel(n);
  const ext = new Rel(n);
  const loc = new Rel(n);
  const addr0 = new Rel(n);
  const data0 = new Rel(n);
  const ctrl0 = new Rel(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (same(i, j)) int.add(i, j);
      else ext.add(i, j);
      if (ev[i]!.loc !== null && ev[i]!.loc === ev[j]!.loc) loc.add(i, j);
    }
    const e = ev[i]!;
    if (e.tid < 0) continue;
    const b = base[e.tid]!;
    for (const d of e.addr) addr0.add(b + d, i);
    for (const d of e.data) data0.add(b + d, i);
    for (const d of e.ctrl) ctrl0.add(b + d, i);
  }
  // rcu-rscs: rcu_read_lock() and rcu_read_unlock() matched as nested brackets (linux-kernel.bell)
  const rcuRscsi = new Rel(n);
  const stack = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const e = ev[i]!;
    const s = stack.get(e.tid) ?? [];
    stack.set(e.tid, s);
    if (e.flags & E.RCU_LOCK) s.push(i);
    else if (e.flags & E.RCU_UNLOCK && s.length > 0) rcuRscsi.add(i, s.pop()!);
  }
  return { n, is, M, R, W, int, ext, loc, poLoc: po.and(loc), addr0, data0, ctrl0, rcuRscsi };
}

export function check(x: Exec, s: Static): Verdict {
  const { po, rf, co, rmw } = x;
  const { n, is, M, R, W, int, ext } = s;
  const fr = rf.inv().seq(co);
  const no = { dataRace: false };
  if (!s.poLoc.or(rf, co, fr).acyclic()) return { violates: 'coherence', ...no };
  const fre = fr.and(ext);
  const coe = co.and(ext);
  if (!rmw.and(fre.seq(coe)).empty()) return { violates: 'atomic', ...no };

  const id = (p: (i: number) => boolean) => Rel.id(n, p);
  const rmwRange = rmw.range();
  const inRmw = rmw.domain().map((d, i) => d || rmwRange[i]!);
  const markedF = E.IW | E.ONCE | E.RELEASE | E.ACQUIRE | E.LKR | E.LKW | E.UL | E.LF | E.RU | E.SRCU_LOCK | E.SRCU_UNLOCK;
  const marked = (i: number) => !M(i) || is(markedF)(i) || inRmw[i]!;
  const plain = (i: number) => M(i) && !marked(i);
  const Marked = id(marked);
  const rfi = rf.and(int);
  const rfe = rf.and(ext);
  const carry = Rel.seqAll(s.data0, id((i) => !is(E.SRCU_UNLOCK)(i)), rfi).star();
  const addr = carry.seq(s.addr0);
  const data = carry.seq(s.data0);
  const ctrl = carry.seq(s.ctrl0);
  const acquire = is(E.ACQUIRE | E.LKR);
  const release = is(E.RELEASE | E.UL);
  const acqPo = id(acquire).seq(po).restrict(() => true, M);
  const poRel = po.restrict(M, release);
  const pulp = Rel.seqAll(po, id(is(E.UL)), po.or(rf), id(is(E.LKR)), po);
  const fencerel = (f: number) => po.restrict(() => true, is(f)).seq(po);
  const R4rmb = (i: number) => R(i) && !is(E.NORETURN)(i);
  const rmb = fencerel(E.RMB).restrict(R4rmb, R4rmb);
  const wmb = fencerel(E.WMB).restrict(W, W);
  const poOpt = po.opt();
  const RMW = id(is(E.RMW));
  const mb = fencerel(E.MB)
    .restrict(M, M)
    .or(
      Rel.seqAll(fencerel(E.BEFORE_ATOMIC), RMW, poOpt).restrict(M, M),
      Rel.seqAll(poOpt, RMW, fencerel(E.AFTER_ATOMIC)).restrict(M, M),
      Rel.seqAll(poOpt, id(is(E.LKW)), fencerel(E.AFTER_SPINLOCK)).restrict(M, M),
      Rel.seqAll(pulp, id(is(E.AFTER_UNLOCK_LOCK)), po).restrict(M, M),
      Rel.seqAll(poOpt, id(is(E.SRCU_UNLOCK)), fencerel(E.AFTER_SRCU_UNLOCK)).restrict(M, M),
    );
  const gp = Rel.seqAll(po, id(is(E.SYNC_RCU | E.SYNC_SRCU)), poOpt);
  const strong = mb.or(gp);
  const nonrw = strong.or(poRel, acqPo);
  const fence = nonrw.or(wmb, rmb);
  const dep = addr.or(data);
  const rwdep = dep.or(ctrl).restrict(() => true, W);
  const overwrite = co.or(fr);
  const toW = rwdep.or(overwrite.and(int), Rel.seqAll(addr, id(plain), wmb));
  const toR = addr.restrict(() => true, R).or(Rel.seqAll(dep, Marked, rfi));
  const ppo = toR.or(toW, fence.and(int), pulp.and(int));
  const aCumul = (r: Rel) => rfe.seq(Marked).opt().seq(r);
  const rmwSeq = rf.seq(rmw).star();
  const cumulFence = Rel.seqAll(Marked, aCumul(strong.or(poRel)).or(wmb, pulp), Marked, rmwSeq);
  const cumulStar = cumulFence.star();
  const prop = Rel.seqAll(Marked, overwrite.and(ext).opt(), cumulStar, Marked, rfe.opt(), Marked);
  const hb = Rel.seqAll(Marked, ppo.or(rfe, prop.minus(Rel.id(n, () => true)).and(int)), Marked);
  if (!hb.acyclic()) return { violates: 'happens-before', ...no };
  const hbStar = hb.star();
  const pb = Rel.seqAll(prop, strong, hbStar, Marked);
  if (!pb.acyclic()) return { violates: 'propagation', ...no };
  const pbStar = pb.star();
  const rcuFence = rcuOrder(x, s, Rel.seqAll(poOpt, hbStar, pbStar, prop, po));
  const rb = Rel.seqAll(prop, rcuFence, hbStar, pbStar, Marked);
  if (!rb.irreflexive()) return { violates: 'rcu', ...no };

  if (!x.ev.some((_, i) => plain(i))) return { violates: null, dataRace: false };
  return plainAccesses({ x, s, fr, rfe, marked, plain, strong: strong.or(rcuFence), fence: fence.or(rcuFence), nonrw, addr, hb, pb, rb, cumulStar, rmwSeq, fencerel });
}

/** rcu-fence = po ; rcu-order ; po?, rcu-order the least fixpoint of its recursive definition. */
function rcuOrder(x: Exec, s: Static, link: Rel): Rel {
  const { n, is, loc } = s;
  const id = (p: (i: number) => boolean) => Rel.id(n, p);
  const rcuGp = id(is(E.SYNC_RCU));
  const srcuGp = id(is(E.SYNC_SRCU));
  if (rcuGp.empty() && srcuGp.empty()) return new Rel(n);
  const rscsi = s.rcuRscsi;
  // srcu-rscs = ([Srcu-lock] ; carry-srcu-data ; data ; [Srcu-unlock]) & loc
  const carrySrcu = Rel.seqAll(s.data0, id((i) => !is(E.SRCU_UNLOCK)(i)), x.rf).star();
  const srscsi = Rel.seqAll(id(is(E.SRCU_LOCK)), carrySrcu, s.data0, id(is(E.SRCU_UNLOCK))).and(loc).inv();
  let order = new Rel(n);
  for (;;) {
    const via = (a: Rel, b: Rel) => Rel.seqAll(a, link, b).or(Rel.seqAll(a, link, order, link, b));
    const next = rcuGp.or(
      srcuGp,
      via(rcuGp, rscsi),
      via(srcuGp, srscsi).and(loc),
      via(rscsi, rcuGp),
      via(srscsi, srcuGp).and(loc),
      Rel.seqAll(order, link, order),
    );
    if (next.equals(order)) break;
    order = next;
  }
  return Rel.seqAll(x.po, order, x.po.opt());
}

interface PlainInput {
  x: Exec;
  s: Static;
  fr: Rel;
  rfe: Rel;
  marked: (i: number) => boolean;
  plain: (i: number) => boolean;
  strong: Rel;
  fence: Rel;
  nonrw: Rel;
  addr: Rel;
  hb: Rel;
  pb: Rel;
  rb: Rel;
  cumulStar: Rel;
  rmwSeq: Rel;
  fencerel: (f: number) => Rel;
}

/** linux-kernel.cat, "Plain accesses and data races". */
function plainAccesses(p: PlainInput): Verdict {
  const { x, s, fr, rfe, marked, plain, strong, fence, nonrw, addr } = p;
  const { n, is, M, W, R, ext } = s;
  const { rf, co } = x;
  const id = (f: (i: number) => boolean) => Rel.id(n, f);
  const Marked = id(marked);
  const xbstar = p.hb.or(p.pb, p.rb).star();
  const vis = Rel.seqAll(p.cumulStar, rfe.opt(), Marked, Rel.seqAll(strong, Marked, xbstar).or(xbstar.and(s.int)));
  const R4rmb = (i: number) => R(i) && !is(E.NORETURN)(i);
  const notNoret = (i: number) => !is(E.NORETURN)(i);
  const rmbRel = p.fencerel(E.RMB);
  const wPre = Marked.seq(addr.or(fence).opt());
  const rPre = Marked.seq(addr.or(nonrw, rmbRel.restrict(R4rmb, notNoret)).opt());
  const wPost = Rel.seqAll(fence.opt(), Marked, p.rmwSeq);
  const rPost = nonrw.or(rmbRel.restrict(notNoret, R4rmb)).opt().seq(Marked);
  const wwVis = fence.or(Rel.seqAll(strong, xbstar, wPre), Rel.seqAll(wPost, vis, wPre));
  const wrVis = fence.or(Rel.seqAll(strong, xbstar, rPre), Rel.seqAll(wPost, vis, rPre));
  const rwXb = fence.or(Rel.seqAll(rPost, xbstar, wPre));
  const preRace = ext.and(Rel.cross(n, plain, M).or(Rel.cross(n, (i) => M(i) && !is(E.IW)(i), plain)));
  const incoh = preRace
    .and(rf)
    .and(rwXb.inv())
    .or(preRace.and(fr).and(wrVis.inv()), preRace.and(co).and(wwVis.inv()));
  if (!incoh.empty()) return { violates: 'plain-coherence', dataRace: false };
  const wwNonrace = wwVis.and(Rel.cross(n, marked, W).or(rwXb)).and(Rel.cross(n, W, marked).or(wrVis));
  const wwRace = preRace.and(co).minus(wwNonrace);
  const wrRace = preRace.and(co.opt().seq(rf)).minus(wrVis).minus(rwXb.inv());
  const rwRace = preRace.and(fr).minus(rwXb);
  return { violates: null, dataRace: !wwRace.or(wrRace, rwRace).empty() };
}
