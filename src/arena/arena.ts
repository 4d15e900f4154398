import { computeLayout, type ArenaParams, type Layout } from './layout.js';

/** Views of one shared arena, as every thread sees it. */
export interface Arena {
  sab: SharedArrayBuffer;
  layout: Layout;
  mem: Int32Array;
  f64: Float64Array;
  bytes: Uint8Array;
}

export function createArena(params: ArenaParams): Arena {
  const layout = computeLayout(params);
  return attachArena(new SharedArrayBuffer(layout.totalBytes), params);
}

export function attachArena(sab: SharedArrayBuffer, params: ArenaParams): Arena {
  const layout = computeLayout(params);
  if (sab.byteLength !== layout.totalBytes) {
    throw new Error(`arena is ${sab.byteLength} bytes, layout needs ${layout.totalBytes}`);
  }
  return {
    sab,
    layout,
    mem: new Int32Array(sab),
    f64: new Float64Array(sab, 0, layout.frames / 8),
    bytes: new Uint8Array(sab),
  };
}
