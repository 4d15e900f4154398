import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ZodError } from 'zod';
import { BadInputError } from '../errors.js';
import { scenariosDir } from '../paths.js';
import { scenarioSchema, type Scenario } from './schema.js';

export interface LoadedScenario {
  name: string;
  file: string;
  scenario: Scenario;
}

export function listScenarios(): { name: string; description: string }[] {
  return readdirSync(scenariosDir())
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const { name, scenario } = loadScenario(join(scenariosDir(), f));
      return { name, description: scenario.description };
    });
}

/** A shipped scenario by name, or a JSON file by path. */
export function loadScenario(nameOrPath: string, cwd = process.cwd()): LoadedScenario {
  const shipped = join(scenariosDir(), `${nameOrPath}.json`);
  const file = /^[\w-]+$/.test(nameOrPath) && existsSync(shipped) ? shipped : resolve(cwd, nameOrPath);
  if (!existsSync(file)) {
    const names = readdirSync(scenariosDir()).filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json'));
    throw new BadInputError(`--scenario: no scenario '${nameOrPath}' (shipped: ${names.join(', ')}; or a path to a JSON file)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BadInputError(`scenario ${file}: not valid JSON: ${(err as Error).message}`);
  }
  return { name: basename(file, '.json'), file, scenario: parseScenario(json, file) };
}

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
