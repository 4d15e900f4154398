// The shadow's core (WebAssembly): one 64-bit add moves the holders and counts the edge, the
// held state and the flight recorder's entry are written in the same call.
import { describe, expect, it } from 'vitest';
import { FLIGHT_ENTRIES, FLIGHT_ENTRY_WORDS, HOLDER, OPS_ENTER, OPS_IN_BITS, OPS_LEAVE, SHADOW, WRK } from '../src/arena/layout.js';
import { FLIGHT_OP, FLIGHT_STATUS, recentOps } from '../src/invariants/flight-recorder.js';
import { STATE } from '../src/invariants/held-state.js';
import { ShadowCore } from '../src/invariants/shadow-core.js';
import { zspLockAt, zspShadowAt } from '../src/model/zs.js';
import { smallPool } from './helpers.js';

describe('shadow core', () => {
  it('moves HOLDERS and OPS together, returns the holders before, and a taking-out borrows nothing from OPS', () => {
    const { zs } = smallPool();
    const core = new ShadowCore(zs.memory, zs.L, 1);
    const s = zspShadowAt(zs, 6);
    expect(core.shadowAt(6)).toBe(s);
    const at = () => [zs.mem[s + SHADOW.HOLDERS], zs.mem[s + SHADOW.OPS]];
    zs.mem[s + SHADOW.HOLDERS] = HOLDER.READER; // another reader inside
    expect(core.begin(FLIGHT_OP.readLock, 6, OPS_ENTER, 0, STATE.READ_LOCKING)).toBe(HOLDER.READER);
    expect(at()).toEqual([HOLDER.READER, OPS_ENTER]);
    expect(core.lastOps()).toBe(OPS_ENTER);
    expect(core.end(FLIGHT_STATUS.RETURNED, 6, OPS_LEAVE, HOLDER.READER, STATE.READ_HELD, 6)).toBe(HOLDER.READER);
    expect(at()).toEqual([2 * HOLDER.READER, OPS_ENTER + OPS_LEAVE]);
    expect(core.begin(FLIGHT_OP.readUnlock, 6, OPS_ENTER, -HOLDER.READER, STATE.READ_UNLOCKING)).toBe(2 * HOLDER.READER);
    expect(at()).toEqual([HOLDER.READER, 2 * OPS_ENTER + OPS_LEAVE]);
    expect(core.add(6, 0, HOLDER.WRITER - HOLDER.READER)).toBe(HOLDER.READER);
    expect(core.peek(6)).toBe(HOLDER.WRITER);
    expect(core.lastOps()).toBe(2 * OPS_ENTER + OPS_LEAVE);
    // the neighbours are not touched
    expect([zs.mem[s + SHADOW.SLEEPERS], zs.mem[s + SHADOW.TRYLOCK_SEQ]]).toEqual([0, 0]);
  });

  it('writes the held state and the flight recorder entry of each edge', () => {
    const { zs } = smallPool();
    const core = new ShadowCore(zs.memory, zs.L, 1);
    const line = zs.L.workers + zs.L.workerWords;
    const lock = zspLockAt(zs, 4);
    zs.mem[lock] = 7;
    core.begin(FLIGHT_OP.writeTrylock, 4, OPS_ENTER, 0, STATE.WRITE_TRYLOCKING);
    expect([zs.mem[line + WRK.STATE], zs.mem[line + WRK.ZSPAGE]]).toEqual([STATE.WRITE_TRYLOCKING, 4]);
    const [inside] = recentOps(zs.mem, zs.L, ['reader#0', 'migrator#0'], 4);
    expect(inside).toMatchObject({ by: 'migrator#0', op: 'writeTrylock', status: 'in progress', before: [7], after: null });
    zs.mem[lock] = -1;
    core.end(FLIGHT_STATUS.FAILED, 4, OPS_LEAVE, 0, STATE.IN_OPERATION, -1);
    expect([zs.mem[line + WRK.STATE], zs.mem[line + WRK.ZSPAGE]]).toEqual([STATE.IN_OPERATION, -1]);
    const [done] = recentOps(zs.mem, zs.L, ['reader#0', 'migrator#0'], 4);
    expect(done).toMatchObject({ op: 'writeTrylock', status: 'failed', before: [7], after: [-1] });
    expect(done!.seqEnd! - done!.seq).toBe(((OPS_ENTER + OPS_LEAVE) >>> OPS_IN_BITS) - (OPS_ENTER >>> OPS_IN_BITS));
  });

  it('without the recorder, the ring stays empty and the shadow moves as before', () => {
    const { zs } = smallPool();
    const core = new ShadowCore(zs.memory, zs.L, 0, false);
    core.begin(FLIGHT_OP.readLock, 2, OPS_ENTER, 0, STATE.READ_LOCKING);
    core.end(FLIGHT_STATUS.RETURNED, 2, OPS_LEAVE, HOLDER.READER, STATE.READ_HELD, 2);
    const ring = zs.mem.subarray(zs.L.flight, zs.L.flight + FLIGHT_ENTRIES * FLIGHT_ENTRY_WORDS);
    expect(ring.every((x) => x === 0)).toBe(true);
    expect(zs.mem[zspShadowAt(zs, 2) + SHADOW.HOLDERS]).toBe(HOLDER.READER);
  });
});
