import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ZodError } from 'zod';
import { BadInputError } from '../errors.js';
import { scenariosDir } from '../paths.js';
import { scenarioSchema, type Scenario } from './schema.js';

export interface LoadedScenario {
  name: string;
  file: string;
  scenario: Scenario;
}

/** The scenario every file without `"extends"` sets its fields over. */
export const BASE_SCENARIO = 'default';

export function listScenarios(): { name: string; description: string }[] {
  return readdirSync(scenariosDir())
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const { name, scenario } = loadScenario(join(scenariosDir(), f));
      return { name, description: scenario.description };
    });
}

/**
 * A shipped scenario by name, or a JSON file by path. A file sets only what it changes: the
 * rest comes from the scenario its `"extends"` names (a shipped name, or a path relative to
 * the file), or else from the default scenario. The default scenario itself sets every field.
 */
export function loadScenario(nameOrPath: string, cwd = process.cwd()): LoadedScenario {
  const file = scenarioFile(nameOrPath, cwd, '--scenario');
  const raw = resolveChain(file, []);
  return { name: basename(file, '.json'), file, scenario: parseScenario(raw, file) };
}

function scenarioFile(nameOrPath: string, cwd: string, what: string): string {
  const shipped = join(scenariosDir(), `${nameOrPath}.json`);
  const file = /^[\w-]+$/.test(nameOrPath) && existsSync(shipped) ? shipped : resolve(cwd, nameOrPath);
  if (!existsSync(file)) {
    const names = readdirSync(scenariosDir()).filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json'));
    throw new BadInputError(`${what}: no scenario '${nameOrPath}' (shipped: ${names.join(', ')}; or a path to a JSON file)`);
  }
  return file;
}

/** The file's fields over those of the scenario it extends, each link checked on its own. */
function resolveChain(file: string, seen: string[]): Record<string, unknown> {
  if (seen.includes(file)) throw new BadInputError(`scenario ${seen[0]}: "extends" goes round: ${[...seen, file].join(' -> ')}`);
  const own = readJson(file);
  const { extends: parent, ...fields } = own;
  if (parent !== undefined && (typeof parent !== 'string' || parent === '')) {
    throw new BadInputError(`scenario ${file}: 'extends': expected a shipped scenario's name or a path to a JSON file`);
  }
  const baseFile = join(scenariosDir(), `${BASE_SCENARIO}.json`);
  if (parent === undefined && file === baseFile) return fields;
  const base = resolveChain(parent === undefined ? baseFile : scenarioFile(parent, dirname(file), `scenario ${file}: 'extends'`), [...seen, file]);
  // The description says what the file it is in does: it is not inherited.
  const { description: _, ...inherited } = base;
  const merged = mergeFields(inherited, fields);
  parseScenario(merged, file);
  return merged;
}

function readJson(file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BadInputError(`scenario ${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(json)) throw new BadInputError(`scenario ${file}: expected a JSON object`);
  return json;
}

/**
 * `over` set field by field on `base`: a section (readers, arena, ...) field by field too; any
 * other value, a distribution such as {"exp": "20us"} included, replaces the base's whole.
 */
export function mergeFields(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const was = base[key];
    out[key] = isPlainObject(was) && isPlainObject(value) ? { ...was, ...value } : value;
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseScenario(json: unknown, where: string): Scenario {
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success) throw new BadInputError(`scenario ${where}: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

function describeIssue(error: ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    return `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}`;
  }
  return `${path ? `'${path}'` : 'top level'}: ${issue.message}`;
}
