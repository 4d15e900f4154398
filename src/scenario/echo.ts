// A scenario back in the form a scenario file uses (durations as text), for
// summary.json (replay feeds it back through the schema) and the verdict line.
import type { Distribution, Scenario, ScenarioInput } from './schema.js';
import { formatNs } from './units.js';

type DistInput = string | { uniform: [string, string] } | { exp: string };

export function distInput(d: Distribution): DistInput {
  if (d.kind === 'fixed') return formatNs(d.a);
  if (d.kind === 'uniform') return { uniform: [formatNs(d.a), formatNs(d.b)] };
  return { exp: formatNs(d.a) };
}

export function scenarioInput(s: Scenario): ScenarioInput {
  const writer = (r: Scenario['compactors']) => ({
    count: r.count,
    pause: distInput(r.pause),
    releaseDelay: distInput(r.releaseDelay),
    releaseDelayFraction: r.releaseDelayFraction,
  });
  return {
    description: s.description,
    duration: formatNs(s.duration),
    ...(s.seed !== undefined ? { seed: s.seed } : {}),
    lock: s.lock,
    kernel: s.kernel,
    lockdep: s.lockdep,
    statInterval: formatNs(s.statInterval),
    stallTimeout: formatNs(s.stallTimeout),
    auditEvery: formatNs(s.auditEvery),
    arena: { ...s.arena },
    objects: { ...s.objects },
    readers: { ...s.readers, hold: distInput(s.readers.hold) },
    migrators: { ...writer(s.migrators), sparseFraction: s.migrators.sparseFraction },
    compactors: writer(s.compactors),
    churners: { count: s.churners.count, pause: distInput(s.churners.pause) },
    lockNoise: { fraction: s.lockNoise.fraction, delay: distInput(s.lockNoise.delay) },
  };
}

/** Every parameter as `key=value`, nested keys joined with dots. */
export function flatParams(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [`${prefix}=${String(value)}`];
  if (Array.isArray(value) || 'uniform' in value || 'exp' in value) return [`${prefix}=${JSON.stringify(value).replace(/"/g, '')}`];
  return Object.entries(value).flatMap(([k, v]) => (k === 'description' ? [] : flatParams(v, prefix ? `${prefix}.${k}` : k)));
}
