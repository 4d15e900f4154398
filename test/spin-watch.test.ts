import { describe, expect, it } from 'vitest';
import { SpinWatch } from '../src/explorer/spin.js';
import { BASE, newThread } from '../src/explorer/sim-thread.js';
import { Touches } from '../src/explorer/touches.js';
import { RAW_ATOMICS } from '../src/invariants/global-atomics.js';

// The spin watch (spin.ts) forgets what a thread observed as soon as another thread changes a
// word it watched, not at the thread's next observation: the state caching key then does not
// depend on when the thread looks next. The runs must be the ones forgetting later gives: the
// thread's fresh reads (weak memory) hold until its next observation.

function watch() {
  const mem = new Int32Array(BASE + 2);
  const threads = [0, 1, 2].map((id) => newThread(id, 'R', RAW_ATOMICS));
  return { spin: new SpinWatch(mem, 2, 3, threads), threads };
}

/** Three stale reads of word `rel` returning 1: the third makes the thread read it fresh. */
function spinStale(spin: SpinWatch, t: ReturnType<typeof newThread>, rel: number): void {
  for (let i = 0; i < 3; i++) spin.observe(t, 'load', rel, 0, 0, 0, 1, true, null);
}

describe('the spin watch forgets at once what a changed word made stale (spin.ts)', () => {
  it('clears the watcher now, keeps its fresh reads to its next observation, and leaves a thread watching another word alone', () => {
    const { spin, threads } = watch();
    const [writer, spinner, other] = threads as [ReturnType<typeof newThread>, ReturnType<typeof newThread>, ReturnType<typeof newThread>];
    spinStale(spin, spinner, 0);
    expect(spinner.fresh).toBe(1);
    for (let i = 0; i < 3; i++) spin.observe(spinner, 'load', 0, 0, 0, 0, 1, false, null); // a read, a re-read, a spin
    expect(spin.isStuck(spinner)).toBe(true);
    spin.observe(other, 'load', 1, 0, 0, 0, 1, false, null);
    spin.changed(writer, 0, 0);
    expect(spinner.seen.size).toBe(0);
    expect(spinner.watched).toBe(0);
    expect(spin.isStuck(spinner)).toBe(false);
    expect(spinner.fresh).toBe(1); // its next read is still of the newest value
    expect(other.seen.size).toBe(1);
    spin.observe(spinner, 'load', 0, 0, 0, 0, 0, false, null);
    expect(spinner.fresh).toBe(0);
    expect(spinner.seen.size).toBe(1);
  });

  it("makes a thread's observation depend on the words it watched (touches.ts)", () => {
    const { spin, threads } = watch();
    const touches = new Touches();
    spin.observe(threads[1]!, 'load', 0, 0, 0, 0, 1, false, null);
    touches.begin(0);
    spin.observe(threads[1]!, 'load', 1, 0, 0, 0, 1, false, touches);
    touches.end();
    expect(touches.steps[0]!.read & 1).toBe(1);
  });
});
