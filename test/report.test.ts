// A default-shaped run's results folder: summary on stdout with --json, .hgrm files,
// run.hlog read back by hdr-histogram-js, JUnit XML read by a real parser, report.html
// rendered by a headless browser.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import * as hdr from 'hdr-histogram-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { VIOLATION_KINDS } from '../src/grading/vocabulary.js';
import { junitXml, runSuite } from '../src/report/junit.js';
import type { Summary } from '../src/records/summary.js';
import { cli, type CliRun } from './helpers.js';
import { browserTestsRun, checkPage } from './report-browser.js';

const dir = mkdtempSync(join(tmpdir(), 'zss-report-'));
const out = join(dir, 'run');
const junitFile = join(dir, 'ci', 'junit.xml');
let run: CliRun;
let summary: Summary;

beforeAll(() => {
  const args = ['--scenario', 'smoke', '--duration', '4', '--stat-interval', '0.4', '--seed', '11', '--out', out];
  run = cli(['run', ...args, '--json', '--junit', junitFile], { out: false });
  summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
});

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) });

describe('run --json', () => {
  it('prints the summary and nothing else on stdout; the log goes to stderr as plain lines', () => {
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(summary);
    expect(run.stderr).toMatch(/^zspage-stress: \[\d+\.\ds\/4\.0s\] readers /m);
    expect(run.stderr).toContain('zspage-stress: PASS');
    expect(run.stderr).not.toContain('\r');
  });
});

describe('run.hlog', () => {
  it("is read back by hdr-histogram-js's log reader; per tag the intervals add up to summary.json's counts", () => {
    const text = readFileSync(join(out, 'run.hlog'), 'utf8');
    expect(text).toContain('#[Unit: ns]');
    expect(hdr.listTags(text).sort()).toEqual(Object.keys(summary.metrics).sort());
    const reader = new hdr.HistogramLogReader(text);
    const counts: Record<string, number> = {};
    const maxes: Record<string, number> = {};
    let lastEndMs = 0;
    const startMs = Date.parse(summary.startedAt);
    for (let h = reader.nextIntervalHistogram(); h; h = reader.nextIntervalHistogram()) {
      counts[h.tag] = (counts[h.tag] ?? 0) + h.totalCount;
      maxes[h.tag] = Math.max(maxes[h.tag] ?? 0, h.maxValue);
      expect(h.startTimeStampMsec).toBeGreaterThanOrEqual(startMs - 1);
      lastEndMs = Math.max(lastEndMs, h.endTimeStampMsec - startMs);
    }
    for (const [tag, m] of Object.entries(summary.metrics)) {
      expect(counts[tag], tag).toBe(m.count);
      expect(maxes[tag], tag).toBe(m.max);
    }
    // The last interval ends when the run did.
    expect(Math.abs(lastEndMs - summary.elapsedMs)).toBeLessThan(2);
  });
});

describe('.hgrm files', () => {
  it('one per metric, unit in a # header, rows as HdrHistogram\'s plotter reads them', () => {
    const files = readdirSync(out).filter((f) => f.endsWith('.hgrm'));
    expect(files.map((f) => f.replace('.hgrm', '')).sort()).toEqual(Object.keys(summary.metrics).sort());
    for (const [metric, m] of Object.entries(summary.metrics)) {
      const text = readFileSync(join(out, `${metric}.hgrm`), 'utf8');
      expect(text.split('\n')[0]).toBe('#[Unit: ns]');
      // The plotter's rule: skip '#' lines, keep lines of exactly four numbers.
      const rows = text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l[0] !== '#')
        .map((l) => l.split(/ +/).map(Number))
        .filter((v) => v.length === 4 && v.every((x) => !Number.isNaN(x)));
      expect(rows.length).toBeGreaterThan(10);
      expect(rows.at(-1)![2]).toBe(m.count);
      expect(rows.at(-1)![0]).toBe(m.max);
      const p50 = rows.find((r) => r[1]! >= 0.5)!;
      expect(p50[0]).toBe(m.p50);
    }
  });
});

describe('--junit', () => {
  it('writes JUnit XML a parser reads: a test case per invariant and the harness, all passing here', () => {
    const xml = readFileSync(junitFile, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml);
    const suite = doc.testsuites.testsuite[0];
    expect(suite.testcase.map((c: { name: string }) => c.name)).toEqual([...VIOLATION_KINDS, 'harness']);
    expect(suite.failures).toBe('0');
    expect(suite.testcase.every((c: Record<string, unknown>) => !('failure' in c))).toBe(true);
  });

  it('carries violations as failures of their kind, escaped', () => {
    const nasty = 'zspage 3 <held> & "torn" \u0001 \'x\'';
    const failed: Summary = {
      ...summary,
      verdict: 'fail',
      violationCount: 3,
      violations: [
        { kind: 'writer-waited', message: nasty, atMs: 5, by: 'migrator#0' },
        { kind: 'writer-waited', message: 'second', atMs: 9, by: 'compactor#0' },
        { kind: 'integrity', message: 'torn read', atMs: 12, by: 'reader#1' },
      ],
    };
    const xml = junitXml([runSuite(failed)]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = parser.parse(xml).testsuites.testsuite[0];
    expect(suite.failures).toBe('2');
    const byName = Object.fromEntries(suite.testcase.map((c: { name: string }) => [c.name, c]));
    expect(byName['writer-waited'].failure.message).toContain('2 writer-waited violations, first at 5 ms: zspage 3 <held> & "torn"');
    expect(byName['writer-waited'].failure['#text']).toContain('at 9 ms by compactor#0: second');
    expect(byName['integrity'].failure.type).toBe('integrity');
    expect(byName['exclusion'].failure).toBeUndefined();
  });
});

describe('report.html', () => {
  it.runIf(browserTestsRun)('renders in headless chromium: no console errors, nothing fetched, every chart drawn', async () => {
    const page = await checkPage(join(out, 'report.html'));
    expect(page.errors).toEqual([]);
    expect(page.outside).toEqual([]);
    // Per metric a percentile plot and a timeline, and one trylock chart per writer.
    expect(page.charts).toBe(2 * Object.keys(summary.metrics).length + 2);
    expect(page.drawn).toBe(page.charts);
    for (const line of page.lines) expect(line.pixels, line.id).toBeGreaterThan(20);
    expect(page.screenshotInk).toBeGreaterThan(0.02);
  });

  it('puts the verdict and violations before the parameters, and lists every parameter', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.indexOf('PASS')).toBeLessThan(html.indexOf('<h2>Violations'));
    expect(html.indexOf('<h2>Violations')).toBeLessThan(html.indexOf('<h2>Parameters'));
    for (const key of ['readers.hold', 'readers.sleepFraction', 'compactors.pause', 'arena.size', 'statInterval']) {
      expect(html).toContain(`<td>${key}</td>`);
    }
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });
});
