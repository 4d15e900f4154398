// explore --exhaustive: for each correct lock, client and memory model, whether it is verified
// within the budget, the executions explored and executions per second. The reduction factor
// is measured on smaller clients, where brute force (every interleaving and read choice) ends:
// brute-force executions over the reduced search's (state caching under sc, DPOR under weak),
// run side by side on the same client.
import { exploreExhaustive } from '../../src/explorer/exhaustive.js';
import { DEFAULT_CLIENTS, describeClient } from '../../src/explorer/clients.js';
import { loadExplorerLock } from '../../src/explorer/index.js';
import type { MemoryModel } from '../../src/explorer/types.js';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { progress } from '../lib/progress.js';
import { budget, type Row } from '../lib/report.js';

const LOCKS = ['zspage-atomic-fixed', 'zspage-spinlock', join(packageRoot(), 'examples/zspage-lock.c'), 'zspage-two-word'];
const MODELS: MemoryModel[] = ['sc', 'weak'];
/** The issue's bound for each lock, client and model on a 2-core machine. */
const BUDGET_MS = 60_000;
const REDUCTION_CLIENTS = ['R/R/W'];
/** Brute force on the reduction client stops here (the row then says '>=' and is a lower bound). */
const BRUTE_MS = 30_000;

const per = (n: number, ms: number) => `${Math.round((n * 1000) / Math.max(ms, 1)).toLocaleString('en-US')}/s`;

export async function exhaustive(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const ref of LOCKS) {
    for (const memory of MODELS) {
      const design = await loadExplorerLock(ref, packageRoot(), memory, true);
      for (const client of DEFAULT_CLIENTS) {
        const r = await exploreExhaustive(design, client.split('/'), { memory, budgetMs: BUDGET_MS });
        progress(`exhaustive ${design.name} ${client} ${memory}: ${r.status}, ${r.executions} executions in ${(r.elapsedMs / 1000).toFixed(1)} s`);
        rows.push({
          section: 'exhaustive',
          name: `${design.name} ${describeClient(client.split('/'))} --memory ${memory}`,
          measured: `${r.status}: ${r.executions.toLocaleString('en-US')} executions (${r.pruned.toLocaleString('en-US')} pruned)${r.states === undefined ? '' : `, ${r.states.toLocaleString('en-US')} states`}, ${(r.elapsedMs / 1000).toFixed(1)} s`,
          against: `${per(r.executions + r.pruned, r.elapsedMs)} runs`,
          ratio: r.elapsedMs / BUDGET_MS,
          ...budget('verified in 60 s', r.status === 'verified', () => `${r.status} after ${r.executions} executions: a coarser equivalence or faster runs (src/explorer/exhaustive.ts)`),
          raw: { executions: r.executions, pruned: r.pruned, states: r.states ?? 0, elapsedMs: r.elapsedMs, verified: r.status === 'verified' ? 1 : 0 },
        });
      }
      for (const client of REDUCTION_CLIENTS) rows.push(await reduction(design, ref, client, memory));
    }
  }
  return rows;
}

async function reduction(design: Awaited<ReturnType<typeof loadExplorerLock>>, ref: string, client: string, memory: MemoryModel): Promise<Row> {
  const programs = client.split('/');
  const dpor = await exploreExhaustive(design, programs, { memory, budgetMs: BUDGET_MS });
  const brute = await exploreExhaustive(design, programs, { memory, budgetMs: BRUTE_MS, reduce: false, cache: false });
  // a reduction factor only when the reduced search ended (brute force cut short makes it a lower
  // bound); its runs (those cut at a state seen before, or asleep, too) against brute force's
  const ended = dpor.status !== 'incomplete';
  const bruteEnded = brute.status !== 'incomplete';
  const runs = dpor.executions + dpor.pruned;
  const factor = brute.executions / Math.max(runs, 1);
  return {
    section: 'exhaustive',
    name: `reduction ${design.name} ${client} --memory ${memory}`,
    measured: `states ${ended ? '' : 'incomplete after '}${runs.toLocaleString('en-US')} runs (${per(runs, dpor.elapsedMs)})`,
    against: `brute force ${bruteEnded ? '' : '>= '}${brute.executions.toLocaleString('en-US')} (${per(brute.executions, brute.elapsedMs)})`,
    ratio: factor,
    // judged only when both ended: a brute force cut short makes the factor a lower bound
    ...(ended && bruteEnded ? budget('>= 1x', factor >= 1, () => `${ref}: the reduced search explored more than brute force`) : {}),
    raw: { dpor: runs, brute: brute.executions, dporEnded: ended ? 1 : 0, bruteEnded: bruteEnded ? 1 : 0, dporMs: dpor.elapsedMs, bruteMs: brute.elapsedMs },
  };
}
