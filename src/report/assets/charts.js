// Draws a report's charts with uPlot from the JSON in #chart-data (see src/report/html.ts: ChartSpec).
(function () {
  'use strict';
  var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

  function latency(ns) {
    if (ns < 1e3) return Math.round(ns) + ' ns';
    if (ns < 1e6) return +(ns / 1e3).toPrecision(3) + ' us';
    if (ns < 1e9) return +(ns / 1e6).toPrecision(3) + ' ms';
    return +(ns / 1e9).toPrecision(3) + ' s';
  }

  function formatY(unit, v) {
    if (v == null) return '-';
    if (unit === 'ns') return latency(v);
    if (unit === 'percent') return +v.toPrecision(3) + '%';
    return String(+v.toPrecision(4));
  }

  // x = 1/(1-p): 1 -> 0%, 10 -> 90%, 100 -> 99%, ...
  function percentile(x) {
    return +(100 * (1 - 1 / x)).toPrecision(7) + '%';
  }

  function xAxis(spec) {
    var axis = { label: spec.x.title };
    if (spec.x.kind === 'percentile') {
      axis.splits = function (u) {
        var out = [];
        for (var x = 1; x <= u.scales.x.max * 1.0001; x *= 10) out.push(x);
        return out;
      };
      axis.values = function (u, splits) { return splits.map(percentile); };
    } else if (spec.x.kind === 'category') {
      axis.splits = function () { return spec.x.values; };
      axis.values = function (u, splits) { return splits.map(function (i) { return spec.x.labels[i]; }); };
    }
    return axis;
  }

  function xValue(spec) {
    return function (u, v) {
      if (v == null) return '-';
      if (spec.x.kind === 'percentile') return percentile(v);
      if (spec.x.kind === 'category') return spec.x.labels[v];
      return v.toFixed(2) + ' s';
    };
  }

  function yScale(axis) {
    return axis.log ? { distr: 3, log: 10 } : {};
  }

  function yAxis(axis, scale, side) {
    return {
      scale: scale,
      side: side,
      label: axis.title,
      size: 80,
      grid: { show: scale === 'y' },
      // uPlot leaves null where a log axis skips a label.
      values: function (u, splits) { return splits.map(function (v) { return v == null ? null : formatY(axis.unit, v); }); },
    };
  }

  function draw(spec) {
    var el = document.getElementById('chart-' + spec.id);
    var category = spec.x.kind === 'category';
    var opts = {
      title: spec.title,
      width: Math.max(el.clientWidth, 400),
      height: 300,
      scales: {
        x: spec.x.kind === 'percentile' ? { time: false, distr: 3, log: 10 }
          : category ? { time: false, range: [-0.5, spec.x.values.length - 0.5] } : { time: false },
        y: yScale(spec.y),
        y2: spec.y2 ? yScale(spec.y2) : {},
      },
      axes: [xAxis(spec), yAxis(spec.y, 'y', 3)].concat(spec.y2 ? [yAxis(spec.y2, 'y2', 1)] : []),
      series: [{ label: spec.x.title, value: xValue(spec) }].concat(spec.series.map(function (s, i) {
        var axis = s.right ? spec.y2 : spec.y;
        return {
          label: s.label,
          scale: s.right ? 'y2' : 'y',
          stroke: COLORS[i % COLORS.length],
          width: 1.5,
          dash: s.dashed ? [6, 4] : undefined,
          spanGaps: true,
          points: { show: category },
          value: function (u, v) { return formatY(axis.unit, v); },
        };
      })),
    };
    var data = [spec.x.values].concat(spec.series.map(function (s) { return s.values; }));
    new uPlot(opts, data, el);
  }

  var specs = JSON.parse(document.getElementById('chart-data').textContent);
  specs.forEach(draw);
  document.body.setAttribute('data-charts-drawn', String(specs.length));
})();
