// Race noise (src/roles/noise.ts) and read focus (readers.hotFraction): what the scenario says
// is what a worker does, and both survive the summary's echo (replay).
import { describe, expect, it } from 'vitest';
import { createNoise } from '../src/roles/noise.js';
import { scenarioInput } from '../src/scenario/echo.js';
import { parseScenario } from '../src/scenario/load.js';
import { smallScenario } from './helpers.js';

const withNoise = (fraction: number, delay: unknown) => parseScenario({ ...scenarioInput(smallScenario()), lockNoise: { fraction, delay } }, 'test');

describe('race noise', () => {
  it('is off unless the scenario asks for it', () => {
    expect(smallScenario().lockNoise.fraction).toBe(0);
    expect(createNoise(smallScenario(), 1, 0)).toBeNull();
    expect(createNoise(withNoise(0.5, '0'), 1, 0)).toBeNull();
  });

  it('spins the drawn delay before an operation, and not while switched off', () => {
    const noise = createNoise(withNoise(1, '3ms'), 1, 0)!;
    let t = performance.now();
    for (let i = 0; i < 3; i++) noise.beforeOp();
    expect(performance.now() - t).toBeGreaterThanOrEqual(9);
    const slow = createNoise(withNoise(1, '2s'), 1, 0)!;
    slow.on = false;
    t = performance.now();
    for (let i = 0; i < 10; i++) slow.beforeOp();
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('fires on about the scenario share of operations, reproducibly from the seed', () => {
    const count = (seed: number) => {
      const n = createNoise(withNoise(0.1, '1ns'), seed, 3)!;
      const fired: number[] = [];
      const orig = performance.now.bind(performance);
      let calls = 0;
      performance.now = () => (calls++, orig());
      for (let i = 0; i < 10_000; i++) {
        const before = calls;
        n.beforeOp();
        if (calls > before) fired.push(i);
      }
      performance.now = orig;
      return fired;
    };
    const a = count(7);
    expect(a.length).toBeGreaterThan(800);
    expect(a.length).toBeLessThan(1200);
    expect(count(7)).toEqual(a);
    expect(count(8)).not.toEqual(a);
  });

  it('echoes lockNoise and hotFraction into the summary form, which parses back the same', () => {
    const s = parseScenario(
      { ...scenarioInput(smallScenario()), lockNoise: { fraction: 0.05, delay: { exp: '20us' } }, readers: { count: 2, hotObjects: 16, hotFraction: 0.5 } },
      'test',
    );
    const again = parseScenario(scenarioInput(s), 'echo');
    expect(again.lockNoise).toEqual(s.lockNoise);
    expect(again.readers.hotFraction).toBe(0.5);
    expect(() => parseScenario({ ...scenarioInput(s), lockNoise: { fraction: 2 } }, 'bad')).toThrow(/lockNoise\.fraction/);
  });
});
