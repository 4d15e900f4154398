// The explorer's trace as text, one line per step (explore, check).
import type { TraceStep } from './types.js';

/** One line per step: `#12   T1    writeTrylock compareExchange[0](0, -1) -> 0  [-1]  => true`. */
export function formatTrace(trace: readonly TraceStep[]): string {
  return trace
    .map((s) => {
      const who = s.checker ? 'check' : `T${s.thread}`;
      const at = s.index === null ? '' : `[${s.index}]`;
      const ord = s.order && s.order !== 'seq_cst' ? ` ${s.order}` : '';
      const op =
        s.op === null
          ? '(no atomic op)'
          : s.op === 'fence'
            ? `fence(${s.order === 'seq_cst' ? 'mb' : s.order === 'acquire' ? 'rmb' : s.order === 'release' ? 'wmb' : s.order})`
            : `${s.op}${at}(${s.args.join(', ')})${ord} -> ${s.result}`;
      const ret = s.returned === undefined ? '' : `  => ${s.returned === null ? 'returns' : s.returned}`;
      const rf = s.readFrom;
      const from = !rf || (rf.n === 1 && rf.k === 0) ? '' : `  read ${rf.step < 0 ? 'init' : `#${rf.step} T${rf.thread} (${rf.order})`}, ${rf.k === 0 ? 'the newest' : `${rf.k} older`} of ${rf.n}`;
      const note = (s.note ? `  (${s.note})` : '') + from + (s.caller ? `  {from ${s.caller}}` : '');
      return `#${String(s.step).padEnd(4)} ${who.padEnd(5)} ${s.call.padEnd(12)} ${op.padEnd(36)} [${s.words.join(', ')}]${ret}${note}`;
    })
    .join('\n');
}
