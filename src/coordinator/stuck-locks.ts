// For a stall report: zspages whose lock words differ from what init() left although
// the shadow state says nobody is inside, as after an unlock that did not release.
import { readersIn, SHADOW, writersIn, ZSP } from '../arena/layout.js';
import { callAs, withPreemptCount } from '../locks/calling-context.js';
import type { LockDesign } from '../locks/contract.js';
import { zspAt, zspLockAt, zspShadowAt, type Zs } from '../model/zs.js';

const SHOWN = 5;

/** The words of a freshly initialised lock. */
export function idleLockWords(design: LockDesign): number[] {
  const mem = new Int32Array(new SharedArrayBuffer(4 * design.words));
  const cpu = { preemptCount: 0 };
  const ops = design.create(withPreemptCount(Atomics, cpu));
  callAs(cpu, 'init', () => ops.init(mem, 0));
  return Array.from(mem);
}

/** A clause for the stall report, or '' when every lock nobody holds looks as init() left it. */
export function describeStuckLocks(zs: Zs, idle: number[]): string {
  const { mem } = zs;
  const stuck: string[] = [];
  for (let z = 0; z < zs.L.maxZspages; z++) {
    if (mem[zspAt(zs, z, ZSP.CLASS)]! < 0) continue;
    const s = zspShadowAt(zs, z);
    const holders = mem[s + SHADOW.HOLDERS]!;
    if (readersIn(holders) !== 0 || writersIn(holders) !== 0) continue;
    const at = zspLockAt(zs, z);
    const words = idle.map((_, i) => Atomics.load(mem, at + i));
    if (words.some((v, i) => v !== idle[i])) stuck.push(`zspage ${z} [${words.join(', ')}]`);
  }
  if (stuck.length === 0) return '';
  const more = stuck.length > SHOWN ? ` and ${stuck.length - SHOWN} more` : '';
  return `; lock words unlike init()'s [${idle.join(', ')}] with nobody inside: ${stuck.slice(0, SHOWN).join(', ')}${more}`;
}
