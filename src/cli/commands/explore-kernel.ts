// `explore --zsmalloc PATH`: the explorer on the kernel's own zsmalloc.c (coordinator/kernel-explore.ts).
import type { Options } from 'yargs';
import { exploreKernel, parseKernelReplay, type KernelExploreOptions } from '../../coordinator/kernel-explore.js';
import { BadInputError } from '../../errors.js';
import { DEFAULT_EXPLORE_OPTIONS } from '../../explorer/index.js';
import { EXIT } from '../../grading/grade.js';
import { say, type CommandResult } from '../output.js';

export const KERNEL_EXPLORE_OPTIONS: Record<string, Options> = {
  zsmalloc: { type: 'string', describe: "a kernel tree (or its mm/zsmalloc.c): explore programs on the kernel's own zsmalloc" },
  program: { type: 'string', default: 'R0s/M0/F1', describe: "--zsmalloc: each CPU's operations, CPUs separated by '/' (docs/ZSMALLOC.md)" },
  objects: { type: 'number', default: 8, describe: '--zsmalloc: objects in the setup' },
  'object-size': { type: 'number', default: 1000, describe: '--zsmalloc: bytes of each object (one class: neighbours share pages)' },
  'max-steps': { type: 'number', default: 200_000, describe: '--zsmalloc: kernel calls an execution may make before it is a livelock' },
};

export async function kernelExploreCommand(argv: Record<string, unknown>, result: CommandResult): Promise<void> {
  const replay = argv.replay === undefined ? null : parseKernelReplay(argv.replay as string);
  const count = (name: string, min: number, max: number) => {
    const v = argv[name] as number;
    if (!Number.isInteger(v) || v < min || v > max) throw new BadInputError(`--${name}: expected an integer from ${min} to ${max}, got ${v}`);
    return v;
  };
  const opts: KernelExploreOptions = {
    zsmalloc: argv.zsmalloc as string,
    program: replay?.program ?? (argv.program as string),
    strategy: replay?.strategy ?? (argv.strategy as 'random' | 'pct'),
    depth: count('depth', 1, 100),
    iterations: count('iterations', 1, 1e9),
    seed: replay?.seed ?? count('seed', 0, 0xffffffff),
    objects: count('objects', 1, 4096),
    objectSize: count('object-size', 1, 4096),
    maxSteps: count('max-steps', 100, 1e9),
    ...(replay ? { only: replay.execution } : {}),
  };
  const r = await exploreKernel(opts);
  const rate = `${r.iterations} execution${r.iterations === 1 ? '' : 's'}, ${r.steps} kernel calls in ${(r.elapsedMs / 1000).toFixed(1)} s`;
  if (r.failure) {
    say(`explore: ${opts.zsmalloc}: FAIL ${r.failure.kind}: ${r.failure.message} (seen after ${r.failure.steps} kernel calls of its execution; ${rate})`);
    say(`explore: replay: npx zspage-stress explore --zsmalloc ${opts.zsmalloc}${setupFlags(opts)} --replay '${r.failure.replay}'`);
    result.code = EXIT.violation;
  } else {
    say(`explore: ${opts.zsmalloc}: ${replay ? 'the execution runs clean' : 'PASS'}: ${opts.program}, ${opts.strategy}, seed ${opts.seed}: ${rate}`);
    result.code = EXIT.pass;
  }
}

/** The settings an execution depends on beyond its replay text, where they are not the defaults. */
function setupFlags(opts: KernelExploreOptions): string {
  const flags = [
    opts.strategy === 'pct' && opts.depth !== DEFAULT_EXPLORE_OPTIONS.depth ? ` --depth ${opts.depth}` : '',
    opts.objects !== KERNEL_EXPLORE_OPTIONS.objects!.default ? ` --objects ${opts.objects}` : '',
    opts.objectSize !== KERNEL_EXPLORE_OPTIONS['object-size']!.default ? ` --object-size ${opts.objectSize}` : '',
  ];
  return flags.join('');
}
