#!/usr/bin/env node
// Runs the composite action (action.yml) here, step by step, as a runner would: each step's
// `if` and `${{ }}` expressions filled in from the inputs, earlier steps' outputs and the
// runner's paths; its run scripts run with bash in a workspace outside the repository.
// actions/setup-node stands for the Node running this script; actions/upload-artifact is
// checked (the folder it would upload exists and is not empty) rather than uploaded.
// Then asserts what a lock author's workflow sees: exit codes, outputs, JUnit XML, artifact.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repo = fileURLToPath(new URL('..', import.meta.url));
const action = parse(readFileSync(join(repo, 'action.yml'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'zspage-stress-action-'));
const runnerTemp = join(work, 'runner-temp');
mkdirSync(runnerTemp);

/** One use of the action: its result, outputs, artifacts and log. */
function useAction(inputs, workspace) {
  for (const name of Object.keys(inputs)) if (!(name in action.inputs)) throw new Error(`action.yml has no input ${name}`);
  const ctx = {
    inputs: Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, inputs[k] ?? String(v.default ?? '')])),
    steps: {},
    github: { action_path: repo, workspace },
    runner: { temp: runnerTemp },
  };
  const missing = Object.entries(action.inputs).filter(([k, v]) => v.required && !ctx.inputs[k]);
  if (missing.length) throw new Error(`required inputs missing: ${missing.map(([k]) => k)}`);
  const use = { failed: false, failedStep: null, outputs: {}, artifacts: [], log: '' };

  for (const [i, step] of action.runs.steps.entries()) {
    const id = step.id ?? `step${i}`;
    const cond = step.if === undefined ? 'success()' : unwrap(step.if);
    if (!condition(cond, ctx, use)) {
      use.log += `--- ${id}: skipped (${cond})\n`;
      continue;
    }
    const result = step.uses ? fakeUses(step, ctx, use) : runStep(step, ctx, workspace);
    ctx.steps[id] = { outputs: result.outputs, outcome: result.ok ? 'success' : 'failure' };
    use.log += `--- ${id}: ${result.ok ? 'success' : 'failure'}\n${result.log}`;
    if (!result.ok && !use.failed) Object.assign(use, { failed: true, failedStep: id });
  }
  for (const [name, o] of Object.entries(action.outputs ?? {})) use.outputs[name] = fill(o.value, ctx);
  return use;
}

function runStep(step, ctx, workspace) {
  if (step.shell !== 'bash') throw new Error(`unsupported shell ${step.shell}`);
  const outputFile = join(work, `output-${Math.random().toString(36).slice(2)}`);
  writeFileSync(outputFile, '');
  const env = {
    ...process.env,
    GITHUB_ACTION_PATH: repo,
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    RUNNER_TEMP: runnerTemp,
    ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, fill(String(v), ctx)])),
  };
  const cwd = resolve(workspace, fill(step['working-directory'] ?? '.', ctx));
  const script = join(work, 'step.sh');
  writeFileSync(script, fill(step.run, ctx));
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, encoding: 'utf8' });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { ok: r.status === 0, code: r.status, outputs, log: r.stdout + r.stderr };
}

function fakeUses(step, ctx, use) {
  const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, fill(String(v), ctx)]));
  if (step.uses.startsWith('actions/setup-node@')) {
    const have = process.versions.node.split('.')[0];
    if (w['node-version'] !== have) throw new Error(`setup-node asks for Node ${w['node-version']}, this is Node ${have}`);
    return { ok: true, outputs: {}, log: `setup-node: Node ${process.version} stands in\n` };
  }
  if (step.uses.startsWith('actions/upload-artifact@')) {
    const files = existsSync(w.path) ? readdirSync(w.path, { recursive: true }) : [];
    if (files.length === 0 && w['if-no-files-found'] === 'error') return { ok: false, outputs: {}, log: `nothing at ${w.path}\n` };
    use.artifacts.push({ name: w.name, path: w.path, files: files.map(String) });
    return { ok: true, outputs: {}, log: `upload-artifact: ${w.name} <- ${w.path} (${files.length} files)\n` };
  }
  throw new Error(`no stand-in for ${step.uses}`);
}

const unwrap = (e) => e.trim().replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, '$1');

/** A context reference such as inputs.lock or steps.run.outputs.results. */
function lookup(ref, ctx) {
  if (!/^[a-z_]+(\.[\w-]+)+$/.test(ref)) throw new Error(`unsupported expression: ${ref}`);
  const value = ref.split('.').reduce((o, k) => (o === undefined ? undefined : o[k]), ctx);
  return value === undefined ? '' : String(value);
}

const fill = (text, ctx) => text.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_, ref) => lookup(ref.trim(), ctx));

/** The conditions action.yml uses: status functions, comparisons with '', joined by &&. */
function condition(expr, ctx, use) {
  return expr.split('&&').every((term) => {
    const t = term.trim();
    if (t === 'success()') return !use.failed;
    if (t === 'failure()') return use.failed;
    if (t === 'always()' || t === '!cancelled()') return true;
    const m = /^([\w.-]+)\s*(==|!=)\s*''$/.exec(t);
    if (!m) throw new Error(`unsupported condition: ${t}`);
    return (lookup(m[1], ctx) === '') === (m[2] === '==');
  });
}

// ---- the uses a lock author's workflow makes, and what it must see ----

let failures = 0;
function expectThat(ok, what, use) {
  if (ok) return;
  failures++;
  console.error(`action-test: FAIL: ${what}`);
  if (use) console.error(use.log.split('\n').slice(-40).join('\n'));
}

function workspace(name) {
  const dir = join(work, name);
  mkdirSync(join(dir, 'locks'), { recursive: true });
  cpSync(join(repo, 'examples'), join(dir, 'locks'), { recursive: true });
  return dir;
}

const read = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : '');

const CASES = [
  {
    what: 'check a correct JS lock: passes, JUnit without failures, results uploaded',
    inputs: { lock: 'locks/atomic-lock.mjs', duration: '3', seed: '1' },
    then(use) {
      expectThat(!use.failed, 'the action failed', use);
      expectThat(use.outputs['exit-code'] === '0', `exit-code ${use.outputs['exit-code']}, expected 0`, use);
      const junit = read(use.outputs.junit);
      expectThat(/<testsuite /.test(junit) && !/<failure/.test(junit), `${use.outputs.junit}: a JUnit suite with no failure`, use);
      expectThat(use.artifacts[0]?.name === 'zspage-stress-results', 'the results artifact was not uploaded', use);
      expectThat(use.artifacts[0]?.files.includes('check.json'), 'the artifact lacks check.json', use);
      const check = JSON.parse(read(join(use.outputs.results, 'check.json')) || '{}');
      expectThat(check.seed === 1 && check.budgetMs === 3000 && check.lock === 'locks/atomic-lock.mjs', 'check did not get the lock, seed and duration inputs', use);
    },
  },
  {
    what: 'check a broken JS lock: the run step fails with exit 1, JUnit shows it, results still uploaded',
    inputs: { lock: 'locks/broken-atomic-lock.mjs', duration: '10', seed: '1', 'artifact-name': 'broken' },
    then(use) {
      expectThat(use.failed && use.failedStep === 'run', `failed at ${use.failedStep}, expected the run step`, use);
      expectThat(use.outputs['exit-code'] === '1', `exit-code ${use.outputs['exit-code']}, expected 1`, use);
      expectThat(/<failure /.test(read(use.outputs.junit)), 'JUnit XML without a failure', use);
      expectThat(/::error title=zspage-stress check locks\/broken-atomic-lock\.mjs::\S+ in /.test(use.log), 'no error annotation', use);
      expectThat(use.artifacts[0]?.name === 'broken', 'the failed check was not uploaded', use);
    },
  },
  {
    what: 'run a scenario from a subfolder into a chosen results folder',
    inputs: { command: 'run', lock: 'zspage-spinlock', scenario: 'smoke', duration: '2', seed: '3', results: 'out/smoke', 'working-directory': 'sub' },
    before: (dir) => mkdirSync(join(dir, 'sub')),
    then(use, dir) {
      expectThat(!use.failed, 'the action failed', use);
      expectThat(use.outputs.results === join(dir, 'sub', 'out', 'smoke'), `results at ${use.outputs.results}`, use);
      const summary = JSON.parse(read(join(use.outputs.results, 'summary.json')) || '{}');
      expectThat(summary.seed === 3 && summary.scenario === 'smoke' && summary.config?.scenario?.duration === '2s' && summary.lock?.name === 'zspage-spinlock', 'run did not get the scenario, seed and duration inputs', use);
      expectThat(/<testsuite /.test(read(use.outputs.junit)), 'no JUnit XML', use);
      expectThat(/already installed/.test(use.log), 'a second use in a job installed again', use);
    },
  },
  {
    what: 'check a broken C lock, compiled on the runner from the installed copy: exit 1, JUnit shows it',
    inputs: { lock: 'locks/broken-unlock.c', duration: '10', seed: '1', 'artifact-name': 'broken-c' },
    then(use) {
      expectThat(use.outputs['exit-code'] === '1', `exit-code ${use.outputs['exit-code']}, expected 1`, use);
      expectThat(/<failure /.test(read(use.outputs.junit)), 'JUnit XML without a failure', use);
    },
  },
  {
    what: 'bad input: exit 2 and one error line, nothing uploaded',
    inputs: { command: 'soak', lock: 'zspage-spinlock' },
    then(use) {
      expectThat(use.failed && use.failedStep === 'run', 'bad input did not fail the run step', use);
      expectThat(/::error title=zspage-stress::command: expected check or run, got 'soak'/.test(use.log), 'no error line for the command', use);
      expectThat(use.artifacts.length === 0, 'uploaded an artifact after bad input', use);
    },
  },
];


// C locks compile into a cache of this test's own.
process.env.XDG_CACHE_HOME = join(work, 'cache');

for (const [i, c] of CASES.entries()) {
  const dir = workspace(`ws${i}`);
  c.before?.(dir);
  console.log(`action-test: ${c.what}`);
  const use = useAction(c.inputs, dir);
  c.then(use, dir);
}

if (failures === 0) {
  rmSync(work, { recursive: true, force: true });
  console.log(`action-test: OK (${CASES.length} uses of action.yml)`);
} else {
  console.error(`action-test: ${failures} failed; left ${work} for inspection`);
  process.exit(1);
}
