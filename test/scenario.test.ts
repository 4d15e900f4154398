// Scenario files set only what they change: the rest comes from the default scenario or from
// the one named by "extends"; every value used is echoed in the summary.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, mergeFields } from '../src/scenario/load.js';
import { scenarioInput } from '../src/scenario/echo.js';
import { scenarioSchema } from '../src/scenario/schema.js';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'zss-scenario-'));
const file = (name: string, json: unknown) => {
  writeFileSync(join(tmp, name), JSON.stringify(json));
  return join(tmp, name);
};
const base = loadScenario('default').scenario;

describe('partial scenario files', () => {
  it('an empty file is the default scenario, but for its description', () => {
    const { scenario } = loadScenario(file('empty.json', {}));
    expect(scenario).toEqual({ ...base, description: '' });
  });

  it('a one-field file changes that field only', () => {
    const { scenario } = loadScenario(file('one.json', { duration: '5s' }));
    expect(scenario.duration).toBe(5e9);
    expect({ ...scenario, duration: base.duration, description: base.description }).toEqual(base);
  });

  it('a section is set field by field; a distribution replaces the whole', () => {
    const { scenario } = loadScenario(file('section.json', { readers: { count: 3, hold: { uniform: ['1us', '2us'] } } }));
    expect(scenario.readers).toEqual({ ...base.readers, count: 3, hold: { kind: 'uniform', a: 1e3, b: 2e3 } });
    expect(scenario.migrators).toEqual(base.migrators);
  });

  it('the issue 21 file runs and echoes every value it used', () => {
    const f = file('issue21.json', { duration: '5s', readers: { count: 3, hold: '0', sleepFraction: 0 } });
    const r = cli(['run', '--scenario', f, '--duration', '1', '--lock', 'zspage-atomic-fixed']);
    expect(r.code, r.stderr).toBe(0);
    const echoed = r.summary().config.scenario;
    expect(echoed.readers).toMatchObject({ count: 3, hold: '0', sleepFraction: 0, hotObjects: base.readers.hotObjects });
    expect(echoed.migrators).toEqual(scenarioInput(base).migrators);
    // The echo is a complete scenario: it parses without any base.
    expect(scenarioSchema.safeParse(echoed).success).toBe(true);
  });

  it('extends: a chain of files, each over the one it names; a shipped name too', () => {
    const mid = file('mid.json', { extends: 'smoke', readers: { count: 4 }, lockdep: false });
    writeFileSync(join(tmp, 'top.json'), JSON.stringify({ extends: './mid.json', readers: { sleepFraction: 0.1 } }));
    const smoke = loadScenario('smoke').scenario;
    const top = loadScenario(join(tmp, 'top.json')).scenario;
    expect(top.readers).toEqual({ ...smoke.readers, count: 4, sleepFraction: 0.1 });
    expect(top.lockdep).toBe(false);
    expect(top.duration).toBe(smoke.duration);
    expect(top.stallTimeout).toBe(smoke.stallTimeout);
    expect(loadScenario(mid).scenario.readers.sleepFraction).toBe(smoke.readers.sleepFraction);
  });

  it('a shipped scenario means what it says in full: its file set over the default changes nothing', () => {
    for (const name of ['smoke', 'selftest', 'soak', 'legacy-rwlock', 'sleepy-readers']) {
      const text = JSON.parse(readFileSync(loadScenario(name).file, 'utf8')) as Record<string, unknown>;
      const alone = scenarioSchema.parse(text);
      expect(loadScenario(name).scenario, name).toEqual(alone);
    }
  });
});

describe('mergeFields', () => {
  it('merges sections one level deep and replaces everything else', () => {
    expect(mergeFields({ a: 1, s: { x: 1, d: { exp: '1us' } } }, { s: { d: '0' }, b: 2 })).toEqual({ a: 1, b: 2, s: { x: 1, d: '0' } });
  });
});
