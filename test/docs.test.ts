// The docs' tables are generated from their data (bench/results.json, bench/detection.json) by
// `npm run docs`: a table edited by hand, or data changed without regenerating, fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentPart, generatedParts, replacePart } from '../bench/docs.js';
import { benchSections, type BenchResults } from '../bench/lib/bench-tables.js';
import { ROOT } from './helpers.js';

describe('generated doc tables', () => {
  const parts = generatedParts(ROOT);

  it('covers docs/BENCHMARKS.md and docs/DETECTION.md', () => {
    expect(parts.map((p) => p.doc)).toContain('docs/BENCHMARKS.md');
    expect(parts.filter((p) => p.doc === 'docs/BENCHMARKS.md').map((p) => p.name)).toEqual([
      'bench-results',
      'bench-budgets',
      'bench-growth-workers',
      'bench-growth-arena',
    ]);
  });

  for (const p of parts) {
    it(`${p.doc}: '${p.name}' is what its data renders to (npm run docs regenerates it)`, () => {
      const text = readFileSync(join(ROOT, p.doc), 'utf8');
      expect(currentPart(text, p.name), `${p.doc} has no generated part '${p.name}'`).not.toBeNull();
      expect(currentPart(text, p.name)).toEqual(p.lines);
    });
  }

  it('notices a figure that differs from the data', () => {
    const results = JSON.parse(readFileSync(join(ROOT, 'bench', 'results.json'), 'utf8')) as BenchResults;
    const doc = readFileSync(join(ROOT, 'docs', 'BENCHMARKS.md'), 'utf8');
    const edited = structuredClone(results);
    edited.rows[0]!.ratio += 0.5;
    expect(benchSections(edited)['bench-results']).not.toEqual(currentPart(doc, 'bench-results'));
    // And a doc edited by hand no longer matches its data.
    const handEdited = replacePart(doc, 'bench-results', [...currentPart(doc, 'bench-results')!, '| a row typed by hand |']);
    expect(currentPart(handEdited, 'bench-results')).not.toEqual(benchSections(results)['bench-results']);
  });
});
