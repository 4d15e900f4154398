// The HTML page every report uses: self-contained (uPlot, its CSS and the chart
// data inlined), so it opens from disk with no network.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { escapeHtml } from './format.js';

/** One chart, drawn in the page by assets/charts.js. */
export interface ChartSpec {
  id: string;
  title: string;
  x: {
    /** percentile: values are 1/(1-p) on a log axis labelled in percent; category: indexes into labels. */
    kind: 'percentile' | 'seconds' | 'category';
    title: string;
    values: number[];
    labels?: string[];
  };
  y: Axis;
  /** A right-hand axis, for series too small to see on the left one's scale. */
  y2?: Axis;
  /** `dashed`: drawn in dashes, so that a line it covers (equal values) still shows between them. */
  series: { label: string; values: (number | null)[]; right?: boolean; dashed?: boolean }[];
}

interface Axis {
  unit: 'ns' | 'percent' | 'count';
  log: boolean;
  title: string;
}

const require = createRequire(import.meta.url);
let assets: { css: string; js: string } | null = null;

function loadAssets(): { css: string; js: string } {
  const read = (file: string) => readFileSync(file, 'utf8');
  const own = join(packageRoot(), 'src', 'report', 'assets');
  assets ??= {
    css: read(require.resolve('uplot/dist/uPlot.min.css')) + '\n' + read(join(own, 'report.css')),
    js: read(require.resolve('uplot/dist/uPlot.iife.min.js')) + '\n' + read(join(own, 'charts.js')),
  };
  return assets;
}

export const chartDiv = (chart: ChartSpec) => `<div class="chart" id="chart-${chart.id}"></div>`;

/** JSON that cannot end the <script> element it sits in. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export function htmlPage(title: string, body: string, charts: ChartSpec[]): string {
  const { css, js } = loadAssets();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
${body}
<script type="application/json" id="chart-data">${scriptJson(charts)}</script>
<script>${js}</script>
</body>
</html>
`;
}
