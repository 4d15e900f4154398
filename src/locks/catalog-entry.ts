// One design of the catalog (catalog.ts) and what each part of the harness must find in it.
import type { Expectation, ExplorerRule, ViolationKind } from '../grading/vocabulary.js';
import type { LockDesign } from './contract.js';

/**
 * kernel: the kernel's own designs and the seed's (ports of real code).
 * busted: deliberately broken designs, each must be caught (busted/).
 * weak: designs whose bugs only a weak memory model shows (weak/).
 */
export type Family = 'kernel' | 'busted' | 'weak';

export interface CatalogEntry {
  family: Family;
  design: LockDesign;
  summary: string;
  /** What a stress run finds first under the zspage access pattern (readers that sleep holding). */
  stress: Expectation<ViolationKind>;
  /** The rule the SC explorer fails it with; null if it passes (or the explorer cannot see its bug). */
  explorer: Expectation<ExplorerRule>;
  /** The rule `explore --memory weak` fails it with (null: passes); only for the weak family. */
  weak?: ExplorerRule | null;
  /** For a port of real code that misbehaves: what goes wrong, in one plain sentence, and the
   *  explorer's schedule that shows it (`explore --lock <name> --replay <schedule>`). */
  finding?: { says: string; schedule: string };
}

/** A finding as one line: what is wrong and the command that shows it. */
export function findingLine(name: string, finding: NonNullable<CatalogEntry['finding']>): string {
  return `${finding.says}; see it: zspage-stress explore --lock ${name} --replay '${finding.schedule}'`;
}
