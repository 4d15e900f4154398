// The docs' tables are generated from their data (bench/results.json, bench/detection.json) by
// `npm run docs`: a table edited by hand, or data changed without regenerating, fails here.
// And the docs hold together: a short README, links that resolve, an index of every page.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentPart, generatedParts, replacePart } from '../bench/docs.js';
import { benchSections, type BenchResults } from '../bench/lib/bench-tables.js';
import { headingAnchors, linkProblems, linkTargets, REPO_BLOB } from './doc-links.js';
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

const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('the README and docs/', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('keeps the README a front page of at most 12 KB, with the quick start', () => {
    expect(statSync(join(ROOT, 'README.md')).size).toBeLessThanOrEqual(12 * 1024);
    expect(readme).toContain('npm ci && npm start');
  });

  for (const page of PAGES) {
    it(`${page}: every link into the repository names a file (and heading) that exists`, () => {
      expect(linkProblems(ROOT, page)).toEqual([]);
    });
  }

  it("links from the README into the repository absolutely, so they work on the npm page too", () => {
    const relativeLinks = linkTargets(readme).filter((t) => !/^(https?:|mailto:|#)/.test(t));
    expect(relativeLinks).toEqual([]);
    expect(linkTargets(readme).filter((t) => t.startsWith(`${REPO_BLOB}docs/`)).length).toBeGreaterThan(5);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { repository: { type: string; url: string } };
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPO_BLOB.replace(/\/blob\/main\/$/, '')}.git` });
  });

  it('lists every page of docs/ in docs/README.md', () => {
    const index = linkTargets(readFileSync(join(ROOT, 'docs', 'README.md'), 'utf8'));
    const pages = PAGES.filter((p) => p.startsWith('docs/') && p !== 'docs/README.md').map((p) => p.slice('docs/'.length));
    expect(pages.filter((p) => !index.includes(p))).toEqual([]);
  });

  it('finds a broken link, a missing heading and a relative link gone stale', () => {
    const page = [
      '# A page',
      '[ok](CLI.md#check) [ok too](#a-page) [gone](NO-SUCH.md) [no heading](CLI.md#no-such-heading) [nor here](#nowhere)',
      `[absolute](${REPO_BLOB}docs/NOPE.md) \`[in code](NOPE.md)\``,
      '```',
      '[in a block](NOPE.md)',
      '```',
    ].join('\n');
    expect(linkProblems(ROOT, 'docs/PAGE.md', page)).toEqual([
      'docs/PAGE.md: NO-SUCH.md: no file docs/NO-SUCH.md',
      'docs/PAGE.md: CLI.md#no-such-heading: no heading #no-such-heading in docs/CLI.md',
      'docs/PAGE.md: #nowhere: no heading #nowhere on the page',
      `docs/PAGE.md: ${REPO_BLOB}docs/NOPE.md: no file docs/NOPE.md`,
    ]);
  });

  it("names headings as GitHub does", () => {
    const anchors = headingAnchors('## Memory orderings: `explore --memory weak` and `litmus`\n### The seed\'s lock, as posted\n## Dup\n## Dup');
    expect([...anchors]).toEqual(['memory-orderings-explore---memory-weak-and-litmus', 'the-seeds-lock-as-posted', 'dup', 'dup-1']);
  });
});
