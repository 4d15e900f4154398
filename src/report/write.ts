// The results folder: one .hgrm per metric, the run.hlog interval log, report.html
// and summary.json (last: a folder with it is whole). Each file is written to a
// temporary name and renamed, so a killed run never leaves a file that looks whole.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hgrmText } from '../records/histogram.js';
import { HLOG_FILE, hlogText } from '../records/hlog.js';
import type { RunRecord } from '../records/run-record.js';
import { REPORT_FILE, runReportHtml } from './run-report.js';

export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function writeResults(dir: string, record: RunRecord): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, h] of Object.entries(record.totals)) {
    if (h.totalCount > 0) writeAtomically(join(dir, `${name}.hgrm`), hgrmText(h));
  }
  // A report that cannot be drawn must not cost the run its summary.
  const derived: [string, () => string][] = [
    [HLOG_FILE, () => hlogText(record)],
    [REPORT_FILE, () => runReportHtml(record)],
  ];
  for (const [file, text] of derived) {
    try {
      writeAtomically(join(dir, file), text());
    } catch (err) {
      record.summary.notes.push(`${file} not written: ${(err as Error).message}`);
    }
  }
  writeAtomically(join(dir, 'summary.json'), JSON.stringify(record.summary, null, 2) + '\n');
}
