// check's exhaustive part: after the hunt found nothing, `explore --exhaustive` of its clients
// (by default 2R+1W x 2 sections and 1R+2W x 2 sections) under SC, and under the weak model for a
// lock that declares orderings, each client in the explorer's worker (explorer/bounded.ts: a
// lock call that never returns fails with its schedule). It says what it proved: `verified`
// only when every client ended verified under every model; when the budget ends first, the
// part passes as 'not verified: budget' and lists the clients it did prove.
import { exhaustiveBounded } from '../explorer/bounded.js';
import { describeClient } from '../explorer/clients.js';
import { formatTrace, type MemoryModel } from '../explorer/index.js';
import { proofOf } from '../grading/grade.js';
import { SIGNAL_EXIT } from '../grading/grade.js';
import type { ExhaustiveResult } from '../explorer/types.js';
import type { LockSpec } from '../locks/registry.js';
import { describeProved, type CheckPart, type ProvedClient } from '../report/check.js';
import type { StopSignals } from './signals.js';

const num = (n: number) => n.toLocaleString('en-US');

/** The client in words, without its programs: 2R+1W x 2 sections. */
const shapeOf = (programs: readonly string[]) => describeClient(programs).replace(/ \(.*\)$/, '');

const readSections = (programs: readonly string[]) => programs.join('').split('R').length - 1;

export interface VerifyOutcome {
  part: CheckPart;
  proved: ProvedClient[];
}

/** Explores each client under each model in turn within `budgetMs`; stops at the first failure or the budget's end. */
export async function verifyPart(
  spec: LockSpec,
  lockArg: string,
  clients: readonly string[][],
  models: readonly MemoryModel[],
  budgetMs: number,
  now: () => number,
  log: (line: string) => void,
  signals: StopSignals,
  shellWord: (s: string) => string,
): Promise<VerifyOutcome> {
  const start = now();
  const end = start + budgetMs;
  // readers spin where a writer's trylock gives up: the clients with fewer read sections have
  // fewer states, and go first so that what the budget allows is proved before it runs out
  const cheapFirst = [...clients].sort((a, b) => readSections(a) - readSections(b));
  const plan = models.flatMap((memory) => cheapFirst.map((programs) => ({ memory, programs })));
  log(`check: explore: exhaustive: ${clients.map(shapeOf).join(', ')} under ${models.join(' and ')}, up to ${(budgetMs / 1000).toFixed(1)} s`);
  const proved: ProvedClient[] = [];
  const results: ExhaustiveResult[] = [];
  const base = { part: 'explore: exhaustive' as const, budgetMs, failedAfterMs: null, kind: null, message: null, replay: null, evidence: null };
  const elapsed = () => Math.round(now() - start);
  for (const { memory, programs } of plan) {
    const left = end - now();
    if (left <= 0) break;
    const r = await exhaustiveBounded(spec, programs, memory, left, undefined, () => signals.received !== null);
    results.push(r);
    if (r.interrupted) {
      const ran = `interrupted in ${shapeOf(programs)} under ${memory}`;
      return { part: { ...base, ran, verdict: 'interrupted', elapsedMs: elapsed(), failedAfterMs: Math.round(now()), exitCode: SIGNAL_EXIT[signals.received!] }, proved };
    }
    if (r.status === 'failed') {
      const f = r.failure!;
      const mem = memory === 'weak' ? ' --memory weak' : '';
      const part: CheckPart = {
        ...base,
        ran: `${shapeOf(programs)} under ${memory}, execution ${num(r.executions)}`,
        verdict: 'fail',
        elapsedMs: elapsed(),
        failedAfterMs: Math.round(now()),
        kind: f.rule,
        message: f.message,
        replay: `zspage-stress explore --lock ${shellWord(lockArg)}${mem} --replay '${f.schedule}'`,
        evidence: f.trace.length > 0 ? formatTrace(f.trace) : null,
        iterations: r.executions,
        proof: 'failed',
      };
      return { part, proved };
    }
    if (r.status === 'verified') {
      proved.push({ client: programs.join('/'), shape: shapeOf(programs), memory, executions: r.executions, elapsedMs: Math.round(r.elapsedMs) });
    } else break; // the budget ended: the clients after this one are not tried
  }
  const proof = proofOf(
    results.map((r) => r.status),
    plan.length,
  );
  const executions = results.reduce((n, r) => n + r.executions, 0);
  const cut = results.find((r) => r.status === 'incomplete');
  const ran =
    proof === 'verified'
      ? describeProved(proved)
      : `proved ${describeProved(proved)}; ${cut ? `${shapeOf(cut.programs)} under ${cut.memory} incomplete after ${num(cut.executions)} executions` : 'no time left'}` +
        `; ${plan.length - proved.length} of ${plan.length} not proved (${num(executions)} executions)`;
  return { part: { ...base, ran, verdict: 'pass', elapsedMs: elapsed(), iterations: executions, proof }, proved };
}
