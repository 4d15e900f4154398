// --shard I/N: one machine's slice of a sharded run. Shard I of N runs seed
// (S + I) mod 2^32 for the base seed S given with --seed, so N shards run N
// different seeds and any shard can be rerun alone with its own seed.
import { BadInputError } from '../errors.js';
import type { RunConfig } from './config.js';

export interface Shard {
  index: number;
  count: number;
  baseSeed: number;
}

const SEEDS = 2 ** 32;

export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 65536 || index >= count) {
    throw new BadInputError(`--shard: expected I/N with 0 <= I < N <= 65536, got '${text}'`);
  }
  return { index, count };
}

export const shardSeed = (baseSeed: number, index: number) => (baseSeed + index) % SEEDS;

/** The run config of one shard; `seedFlag` is --seed as given (the base every shard shares). */
export function shardConfig(cfg: RunConfig, text: string | undefined, seedFlag: number | undefined): RunConfig & { shard?: Shard } {
  if (text === undefined) return cfg;
  const { index, count } = parseShard(text);
  if (seedFlag === undefined) throw new BadInputError('--shard: give --seed too, the base seed every shard shares');
  const seed = shardSeed(cfg.seed, index);
  return { ...cfg, seed, scenario: { ...cfg.scenario, seed }, shard: { index, count, baseSeed: cfg.seed } };
}
