// `explore --exhaustive`: every execution of each client, or the first failing one.
import { EXIT } from '../../grading/grade.js';
import { exhaustiveBounded } from '../../explorer/bounded.js';
import { DEFAULT_CLIENTS, describeClient } from '../../explorer/clients.js';
import type { ExhaustiveResult } from '../../explorer/exhaustive.js';
import { formatTrace, type MemoryModel } from '../../explorer/index.js';
import type { Reduction } from '../../explorer/types.js';
import type { LockDesign } from '../../locks/contract.js';
import type { LockSpec } from '../../locks/registry.js';
import { say, type CommandResult } from '../output.js';

const num = (n: number) => n.toLocaleString('en-US');

/** Explores the clients in turn within one budget, in a worker (a hung lock call fails); stops at the first failure. */
export async function exhaustiveCommand(
  design: LockDesign,
  spec: LockSpec,
  lockArg: string,
  clients: readonly string[][],
  memory: MemoryModel,
  budgetS: number,
  reduction: Reduction,
  result: CommandResult,
): Promise<void> {
  const end = performance.now() + budgetS * 1000;
  let verified = 0;
  for (const programs of clients) {
    const r = await exhaustiveBounded(spec, [...programs], memory, Math.max(0, end - performance.now()), undefined, undefined, reduction);
    const rate = (n: number) => num(Math.round((n * 1000) / Math.max(r.elapsedMs, 1)));
    // state caching: most runs end at a state explored before; the states are what it visits
    const states = r.states === undefined ? '' : `, ${num(r.states)} states (${rate(r.states)}/s)`;
    const counts = `${num(r.executions)} executions (${num(r.pruned)} pruned, ${num(r.awaited)} with an await) in ${(r.elapsedMs / 1000).toFixed(1)} s (${rate(r.executions)}/s)${states}`;
    const what = `${describeClient(programs)} under ${memory}`;
    if (r.status === 'failed') return failed(r, design, lockArg, what, counts, result);
    if (r.status === 'incomplete') {
      say(`explore: ${design.name}: incomplete, not verified: ${what}: the budget of ${budgetS} s ran out after ${counts}`);
      result.code = EXIT.pass;
      return;
    }
    say(`explore: ${design.name}: verified ${what}: ${counts}`);
    verified++;
  }
  result.code = EXIT.pass;
  if (verified > 1) say(`explore: ${design.name}: verified all ${verified} clients under ${memory}`);
}

function failed(r: ExhaustiveResult, design: LockDesign, lockArg: string, what: string, counts: string, result: CommandResult): void {
  const f = r.failure!;
  if (f.trace.length > 0) say(formatTrace(f.trace));
  say(`explore: ${design.name}: FAIL ${f.rule}: ${f.message}`);
  say(`explore: ${what}: failed after ${counts}`);
  const mem = r.memory === 'weak' ? ' --memory weak' : '';
  say(`explore: replay with: zspage-stress explore --lock ${lockArg}${mem} --replay '${f.schedule}'`);
  result.code = EXIT.violation;
}

/** explore's flags for --exhaustive. */
export const EXHAUSTIVE_OPTIONS = {
  exhaustive: {
    type: 'boolean',
    default: false,
    describe: 'every execution of each client: verified, the first failure, or incomplete when the budget runs out',
  },
  reduction: {
    choices: ['states', 'dpor'],
    default: 'states',
    describe: 'with --exhaustive: state caching (each state once; memory grows with the states) or source-set DPOR (memory of one execution; may explore a state many times)',
  },
  clients: {
    type: 'string',
    default: DEFAULT_CLIENTS.join(','),
    describe: 'with --exhaustive: the clients, one program of R/W sections per thread, e.g. RR/RR/WW (2R+1W x 2 sections)',
  },
  budget: { type: 'number', default: 60, describe: 'with --exhaustive: seconds for all the clients' },
} as const;
