// `npm run docs`: rewrites the generated tables of docs/BENCHMARKS.md (from bench/results.json) and
// docs/DETECTION.md (from bench/detection.json). A generated part sits between
//   <!-- generated: NAME -->  and  <!-- end: NAME -->
// and test/docs.test.ts fails when a doc's part differs from what its data renders to.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/paths.js';
import { conditionsLine, detectionTable, readDetection, targetLines } from './detection/lib.js';
import { benchSections, type BenchResults } from './lib/bench-tables.js';

export interface GeneratedPart {
  /** The doc, relative to the package root. */
  doc: string;
  name: string;
  lines: string[];
}

/** Every generated part of every doc, rendered from the data files as they are now. */
export function generatedParts(root: string): GeneratedPart[] {
  const parts: GeneratedPart[] = [];
  const results = JSON.parse(readFileSync(join(root, 'bench', 'results.json'), 'utf8')) as BenchResults;
  for (const [name, lines] of Object.entries(benchSections(results))) parts.push({ doc: 'docs/BENCHMARKS.md', name, lines });
  const detection = join(root, 'bench', 'detection.json');
  if (existsSync(detection)) {
    const d = readDetection(detection);
    parts.push({ doc: 'docs/DETECTION.md', name: 'detection-conditions', lines: [conditionsLine(d)] });
    parts.push({ doc: 'docs/DETECTION.md', name: 'detection-table', lines: detectionTable(d) });
    parts.push({ doc: 'docs/DETECTION.md', name: 'detection-targets', lines: targetLines(d) });
  }
  return parts;
}

const open = (name: string) => `<!-- generated: ${name} -->`;
const close = (name: string) => `<!-- end: ${name} -->`;

/** The lines between a part's markers in `text`, or null when the doc has no such part. */
export function currentPart(text: string, name: string): string[] | null {
  const a = text.indexOf(open(name));
  const b = text.indexOf(close(name));
  if (a < 0 || b < a) return null;
  return text.slice(a + open(name).length, b).trim().split('\n');
}

export function replacePart(text: string, name: string, lines: string[]): string {
  const a = text.indexOf(open(name));
  const b = text.indexOf(close(name));
  if (a < 0 || b < a) throw new Error(`no generated part '${name}' (markers ${open(name)} ... ${close(name)})`);
  return `${text.slice(0, a)}${open(name)}\n${lines.join('\n')}\n${text.slice(b)}`;
}

export function writeDocs(root: string): void {
  const byDoc = new Map<string, GeneratedPart[]>();
  for (const p of generatedParts(root)) byDoc.set(p.doc, [...(byDoc.get(p.doc) ?? []), p]);
  for (const [doc, parts] of byDoc) {
    const file = join(root, doc);
    let text = readFileSync(file, 'utf8');
    for (const p of parts) text = replacePart(text, p.name, p.lines);
    writeFileSync(file, text);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeDocs(packageRoot());
  console.log('docs: docs/BENCHMARKS.md and docs/DETECTION.md tables regenerated from bench/results.json and bench/detection.json');
}
