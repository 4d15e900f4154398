// The histogram codec every record uses: JS histograms (no WebAssembly: a record is read
// on any thread), the workers' compressed base64, and the .hgrm text of a metric.
import * as hdr from 'hdr-histogram-js';

export const newJsHistogram = () =>
  hdr.build({ useWebAssembly: false, autoResize: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });

export function decodeHistogram(encoded: string): hdr.Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/**
 * A .hgrm percentile distribution of a JS histogram, values in ns. The unit goes in a
 * leading '#' line: HdrHistogram's plotter and the usual parsers skip '#' lines.
 */
export function hgrmText(h: hdr.Histogram): string {
  return '#[Unit: ns]\n' + h.outputPercentileDistribution(5, 1);
}
