import { randomInt } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { runCheck } from '../../coordinator/check.js';
import { runKernelCheck } from '../../coordinator/kernel-check.js';
import { DEFAULT_CLIENTS, parseClients } from '../../explorer/clients.js';
import { BadInputError } from '../../errors.js';
import { lockSpecFor } from '../../locks/registry.js';
import { checkTable, checkVerdictLine, firstFailure } from '../../report/check.js';
import { checkSuite } from '../../report/check-junit.js';
import { writeJunit } from '../../report/junit.js';
import { say, type CommandResult } from '../output.js';

export const checkCommand = (result: CommandResult): CommandModule => ({
  command: 'check',
  describe: 'is this lock right? the explorer, then stress runs, within a time budget; one table',
  builder: (y) =>
    y
      .option('lock', { type: 'string', describe: 'built-in lock name or lock file' })
      .option('zsmalloc', { type: 'string', describe: "a kernel tree (or its mm/zsmalloc.c): check the kernel's own zsmalloc and its zspage lock" })
      .conflicts('lock', 'zsmalloc')
      .option('sleeping-readers', {
        type: 'boolean',
        default: true,
        describe: '--zsmalloc: readers sleep holding an object (--no-sleeping-readers for a zsmalloc before 6.15, whose mapping is atomic context)',
      })
      .option('budget', { type: 'number', default: 30, describe: 'seconds for the whole check (a correct lock uses all of it)' })
      .option('seed', { type: 'number', describe: 'seed of every part (random if not given)' })
      .option('json', { type: 'boolean', describe: 'print one JSON object on stdout (progress goes to stderr)' })
      .option('fail-fast', { type: 'boolean', describe: 'stop at the first failing part' })
      .option('out', { type: 'string', describe: 'results folder (default results/check-<time>-<lock>-<seed>)' })
      .option('junit', { type: 'string', describe: 'also write JUnit XML here: a test case per part' })
      .option('clients', {
        type: 'string',
        default: DEFAULT_CLIENTS.join(','),
        describe: 'the clients the exhaustive part proves, one program of R/W sections per thread (as explore --exhaustive)',
      })
      .requiresArg(['lock', 'zsmalloc', 'budget', 'seed', 'out', 'junit', 'clients'])
      .example('$0 check --lock ./my-lock.mjs', 'about 30 s: explorer, then the bug-hunting and the default stress mix')
      .example('$0 check --lock zspage-spinlock --budget 10 --json', 'a shorter check, one JSON object for a script')
      .example('$0 check --zsmalloc ~/linux', "your tree's mm/zsmalloc.c, as written, under the stress parts")
      .example('$0 check --zsmalloc ~/linux-6.12 --no-sleeping-readers', 'a tree whose readers may not sleep holding a mapping (before 6.15)'),
  handler: async (argv) => {
    const { budget, seedArg } = budgetAndSeed(argv);
    const zsmalloc = argv.zsmalloc as string | undefined;
    const lock = (argv.lock as string | undefined) ?? zsmalloc;
    if (lock === undefined) throw new BadInputError('check: name what to check: --lock NAME|FILE or --zsmalloc PATH');
    if (!zsmalloc) lockSpecFor(lock); // an unknown name or a missing file is bad input before anything runs
    const sleepingReaders = argv['sleeping-readers'] !== false;
    if (!sleepingReaders && !zsmalloc) throw new BadInputError('--no-sleeping-readers: only with --zsmalloc (a lock\'s readers are the scenario\'s)');
    const clients = parseClients(argv.clients as string, 'check');
    const seed = seedArg ?? randomInt(0, 0xffffffff);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
    const lockTag = lock.replace(/^.*[\\/]/, '').replace(/[^\w.-]/g, '_');
    const out = (argv.out as string | undefined) ?? join(process.cwd(), 'results', `check-${stamp}-${lockTag}-${seed}`);
    const json = argv.json === true;
    const log = json ? (line: string) => process.stderr.write(line + '\n') : say;

    const startedAt = new Date();
    const failFast = argv['fail-fast'] === true;
    const record = zsmalloc
      ? await runKernelCheck({ zsmalloc, budgetMs: budget * 1000, seed, out, failFast, sleepingReaders }, log)
      : await runCheck({ lock, budgetMs: budget * 1000, seed, out, failFast, clients }, log);

    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'check.json.tmp'), JSON.stringify(record, null, 2) + '\n');
    renameSync(join(out, 'check.json.tmp'), join(out, 'check.json'));
    if (argv.junit) writeJunit(argv.junit as string, [checkSuite(record, startedAt)]);
    if (json) {
      const { parts, ...head } = record;
      process.stdout.write(JSON.stringify({ ...head, parts: parts.map(({ evidence: _, ...p }) => p) }, null, 2) + '\n');
    } else {
      // The first failure's evidence, and a stress run's too when the explorer failed first:
      // the step trace says why the protocol breaks, the stress diagnosis how it broke on threads.
      const f = firstFailure(record.parts);
      const stress = record.parts.find((p) => p !== f && p.part.startsWith('stress') && p.evidence);
      for (const p of [f, stress]) {
        if (!p?.evidence) continue;
        say('');
        say(`${p.part}: ${p.part.startsWith('explore') ? 'the failing schedule, step by step' : 'diagnosis'}:`);
        say(p.evidence);
      }
      say('');
      for (const line of checkTable(record)) say(line);
      say('');
      say(checkVerdictLine(record));
      say(`zspage-stress check: results in ${out}`);
    }
    result.code = record.exitCode;
  },
});

/** --budget and --seed, each in its range (bad input otherwise). */
function budgetAndSeed(argv: Record<string, unknown>): { budget: number; seedArg: number | undefined } {
  const budget = argv.budget as number;
  if (!Number.isFinite(budget) || budget < 3 || budget > 86_400) {
    throw new BadInputError(`--budget: expected seconds from 3 to 86400, got ${budget}`);
  }
  const seedArg = argv.seed as number | undefined;
  if (seedArg !== undefined && (!Number.isInteger(seedArg) || seedArg < 0 || seedArg > 0xffffffff)) {
    throw new BadInputError(`--seed: expected an integer from 0 to 4294967295, got ${seedArg}`);
  }
  return { budget, seedArg };
}
