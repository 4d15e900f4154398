// The scenario file format, checked with zod: unknown fields and bad values are
// rejected with the field's path.
import { z } from 'zod';
import { MODELLED_KERNELS } from '../model/kernel-version.js';
import { parseDuration, parseSize } from './units.js';

const duration = z
  .union([z.string(), z.literal(0)])
  .refine((v) => parseDuration(v) !== null, { message: 'expected a duration such as "0", "50us", "2ms", "30s"' })
  .transform((v) => parseDuration(v)!);

const size = z
  .union([z.string(), z.number()])
  .refine((v) => parseSize(v) !== null, { message: 'expected a size such as 4096, "64KiB", "32MiB", "1GiB"' })
  .transform((v) => parseSize(v)!);

/** A time distribution: a duration (fixed), {"uniform": [min, max]} or {"exp": mean}. All in ns. */
const distribution = z.union([
  duration.transform((ns) => ({ kind: 'fixed' as const, a: ns, b: ns })),
  z.strictObject({ uniform: z.tuple([duration, duration]) }).transform(({ uniform: [a, b] }, ctx) => {
    if (b < a) ctx.addIssue({ code: 'custom', message: 'uniform: max is below min' });
    return { kind: 'uniform' as const, a, b };
  }),
  z.strictObject({ exp: duration }).transform(({ exp }) => ({ kind: 'exp' as const, a: exp, b: exp })),
]);
export type Distribution = z.output<typeof distribution>;

const count = (max: number) => z.number().int().min(0).max(max);

const NONE = { kind: 'fixed' as const, a: 0, b: 0 };

const workerRole = z.strictObject({
  count: count(64),
  /** Pause between two operations (the thread sleeps, holding nothing). */
  pause: distribution.default(NONE),
});

const writerRole = workerRole.extend({
  /** Torture delay, as locktorture's write delays: the writer spins this long just before
   *  its write unlock (where readers can meet the write-held lock), on a share of sections. */
  releaseDelay: distribution.default(NONE),
  releaseDelayFraction: z.number().min(0).max(1).default(1),
});

export const scenarioSchema = z.strictObject({
  description: z.string().default(''),
  duration: duration.refine((ns) => ns >= 1e8, { message: 'must be at least 100ms' }),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  lock: z.string().min(1).default('zspage-atomic-fixed'),
  /** The kernel the model follows where versions differ (zs_page_migrate()'s -EINVAL or -EBUSY). */
  kernel: z.enum(MODELLED_KERNELS).default('6.15'),
  /** Lock-order checking (the kernel's lockdep) on every model lock and a lock's own spinlocks. */
  lockdep: z.boolean().default(true),
  statInterval: duration.default(5e9),
  /** A worker that makes no progress for this long is a stall. */
  stallTimeout: duration.refine((ns) => ns >= 5e8, { message: 'must be at least 500ms' }).default(5e9),
  /** Stutter: pause every worker and audit the pool this often (0: only at the end). */
  auditEvery: duration.default(2e9),
  arena: z
    .strictObject({
      size: size.refine((b) => b >= 64 * 1024 && b <= 4 * 1024 ** 3, { message: 'must be from 64KiB to 4GiB' }),
      pageSize: z.union([z.literal(4096), z.literal(8192), z.literal(16384)]).default(4096),
      chainSize: z.number().int().min(1).max(16).default(8),
    })
    .default({ size: 32 * 1024 ** 2, pageSize: 4096, chainSize: 8 }),
  objects: z.strictObject({
    /** Long-lived objects, allocated at start: what readers read. */
    stable: z.number().int().min(1).max(1 << 24),
    /** Handles the churners allocate, rewrite and free; half are allocated at start. */
    churn: z.number().int().min(0).max(1 << 24).default(0),
    minSize: z.number().int().min(1).default(32),
    maxSize: z.number().int().min(1).default(3072),
  }),
  readers: z.strictObject({
    count: count(64),
    /** How long a read holds the object (sleeping, if above 0). */
    hold: distribution.default({ kind: 'fixed', a: 0, b: 0 }),
    /** Fraction of reads that hold (sleep); the others unmap at once. */
    sleepFraction: z.number().min(0).max(1).default(1),
    /** Readers pick among this many objects only (contention focus); 0 means all. */
    hotObjects: z.number().int().min(0).default(0),
    /** Share of reads (and half that share of migrations) that go to the hot objects; the rest go anywhere. */
    hotFraction: z.number().min(0).max(1).default(1),
    /** Time one read in this many, on average (reproducible gaps from the run seed); 1 times every read. */
    timingSample: z.number().int().min(1).max(1 << 20).default(16),
  }),
  migrators: writerRole
    .extend({
      /** Share of migrations that pick a page of a class's sparsest zspage: the one compaction or
       *  a free empties next, so that a free defers and lock_zspage() meets the migrator's page lock. */
      sparseFraction: z.number().min(0).max(1).default(0),
    })
    .default({ count: 1, pause: NONE, releaseDelay: NONE, releaseDelayFraction: 1, sparseFraction: 0 }),
  compactors: writerRole.default({ count: 1, pause: NONE, releaseDelay: NONE, releaseDelayFraction: 1 }),
  churners: workerRole.default({ count: 1, pause: NONE }),
  /** Race noise (src/roles/noise.ts): readers and churners spin `delay` before this share of the lock's atomic operations. */
  lockNoise: z
    .strictObject({ fraction: z.number().min(0).max(1).default(0), delay: distribution.default(NONE) })
    .default({ fraction: 0, delay: NONE }),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
