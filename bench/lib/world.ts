// A benchmark arena: a scenario parsed by the real schema and a pool built by the
// real setup, so the crews run over exactly what a stress run would.
import type { Arena } from '../../src/arena/arena.js';
import { STACK } from '../../src/arena/layout.js';
import { buildPool, type PoolSetup } from '../../src/coordinator/setup.js';
import { CATALOG } from '../../src/locks/catalog.js';
import { scenarioSchema, type Scenario, type ScenarioInput } from '../../src/scenario/schema.js';

export const SEED = 0x5eed;
/** Worker lines every bench arena has: the largest crew. */
const WORKER_LINES = 16;

export interface World {
  lock: string;
  scenario: Scenario;
  setup: PoolSetup;
  arena: Arena;
  /** Zspages in use after setup: descriptors are handed out lowest first. */
  zspagesInUse: number;
}

export interface WorldShape {
  arena: string;
  stable: number;
  minSize: number;
  maxSize: number;
}

function benchScenario(lock: string, shape: WorldShape): Scenario {
  return scenarioSchema.parse({
    duration: '1s',
    lock,
    arena: { size: shape.arena },
    objects: { stable: shape.stable, churn: 0, minSize: shape.minSize, maxSize: shape.maxSize },
    readers: { count: WORKER_LINES, hold: '0' },
    migrators: { count: 0 },
    compactors: { count: 0 },
    churners: { count: 0 },
  } satisfies ScenarioInput);
}

export function buildWorld(lock: string, shape: WorldShape): World {
  const scenario = benchScenario(lock, shape);
  const setup = buildPool(scenario, CATALOG[lock]!.design, SEED);
  const { mem, layout } = setup.arena;
  const allocTop = mem[layout.zspageAlloc + STACK.TOP]!;
  return { lock, scenario, setup, arena: setup.arena, zspagesInUse: layout.maxZspages - allocTop };
}

/** The same scenario, timing one read in `n`. */
export const withTimingSample = (s: Scenario, n: number): Scenario => ({ ...s, readers: { ...s.readers, timingSample: n } });
