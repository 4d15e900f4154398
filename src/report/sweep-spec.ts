// A sweep: the same scenario run for every lock and every value of one parameter.
// From the command line (--lock A,B --param reader-hold=0,1ms) or a sweep file
// (scenarios/sweeps/<name>.json, or a path), the flags overriding the file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { BadInputError } from '../errors.js';
import { scenariosDir } from '../paths.js';
import type { Scenario } from '../scenario/schema.js';
import { parseDuration } from '../scenario/units.js';

/** The parameters a sweep can vary, and how a value sets the scenario. */
export const SWEEP_PARAMS: Record<string, { describe: string; expects: string; valid: (value: string) => boolean; apply: (s: Scenario, value: string) => void }> = {
  'reader-hold': {
    describe: 'how long a reader holds the object mapped, asleep (readers.hold, fixed); 0: readers never sleep',
    expects: 'a duration such as 0, 50us, 1ms',
    valid: (value) => parseDuration(value) !== null,
    apply(s, value) {
      const ns = parseDuration(value)!;
      s.readers.hold = { kind: 'fixed', a: ns, b: ns };
    },
  },
};

export interface Sweep {
  name: string;
  description: string;
  scenario: string;
  locks: string[];
  param: string;
  values: string[];
}

const sweepFileSchema = z.strictObject({
  description: z.string().default(''),
  /** A shipped scenario name or a scenario file, relative to the sweep file. */
  scenario: z.string().min(1).default('default'),
  locks: z.array(z.string().min(1)).min(1),
  /** One parameter and its values, e.g. { "reader-hold": ["0", "1ms"] }. */
  param: z.record(z.string(), z.array(z.string()).min(1)).refine((p) => Object.keys(p).length === 1, {
    message: 'name exactly one parameter',
  }),
});

export const sweepsDir = () => join(scenariosDir(), 'sweeps');

/** A shipped sweep by name, or a sweep file by path. */
export function loadSweepFile(nameOrPath: string, cwd = process.cwd()): Sweep {
  const shipped = join(sweepsDir(), `${nameOrPath}.json`);
  const file = /^[\w-]+$/.test(nameOrPath) && existsSync(shipped) ? shipped : resolve(cwd, nameOrPath);
  if (!existsSync(file)) {
    const names = readdirSync(sweepsDir()).filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json'));
    throw new BadInputError(`sweep: no sweep '${nameOrPath}' (shipped: ${names.join(', ')}; or a path to a JSON file)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BadInputError(`sweep ${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = sweepFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadInputError(`sweep ${file}: '${issue.path.join('.') || 'top level'}': ${issue.message}`);
  }
  const [param, values] = Object.entries(parsed.data.param)[0]!;
  const scenario = /^[\w-]+$/.test(parsed.data.scenario) ? parsed.data.scenario : resolve(file, '..', parsed.data.scenario);
  return checkSweep({ name: basename(file, '.json'), description: parsed.data.description, scenario, locks: parsed.data.locks, param, values });
}

/** `--param NAME=v1,v2,...` */
export function parseParamFlag(text: string): { param: string; values: string[] } {
  const m = /^([\w-]+)=(.+)$/.exec(text.trim());
  if (!m) throw new BadInputError(`--param: expected NAME=v1,v2,..., e.g. reader-hold=0,50us,1ms, got '${text}'`);
  return { param: m[1]!, values: m[2]!.split(',').map((v) => v.trim()) };
}

export function checkSweep(s: Sweep): Sweep {
  if (!Object.hasOwn(SWEEP_PARAMS, s.param)) {
    throw new BadInputError(`sweep: unknown parameter '${s.param}' (known: ${Object.keys(SWEEP_PARAMS).join(', ')})`);
  }
  const param = SWEEP_PARAMS[s.param]!;
  for (const v of s.values) {
    if (!param.valid(v)) throw new BadInputError(`sweep: ${s.param}: expected ${param.expects}, got '${v}'`);
  }
  if (new Set(s.values).size !== s.values.length) throw new BadInputError(`sweep: ${s.param}: a value is repeated`);
  if (new Set(s.locks).size !== s.locks.length) throw new BadInputError('sweep: a lock is repeated');
  return s;
}
