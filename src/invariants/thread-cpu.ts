// A thread's own CPU time, from Linux's /proc/<pid>/task/<tid>/schedstat (first field: ns
// on a CPU). Wall time counts the time the OS ran somebody else; this does not, so it is
// evidence that load and preemption cannot fake. Elsewhere it is unknown (NaN).
import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';

const buf = Buffer.alloc(64);

function firstNumber(fd: number): number {
  const n = readSync(fd, buf, 0, buf.length, 0);
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** The calling thread's CPU clock; opened once per thread. */
export class ThreadCpu {
  private fd = -2;

  /** This thread's id (Linux), or -1. */
  static ownTid(): number {
    try {
      return Number(readlinkSync('/proc/thread-self').split('/').pop());
    } catch {
      return -1;
    }
  }

  /** ns of CPU this thread has used, or NaN where schedstat cannot be read. */
  ns(): number {
    if (this.fd === -2) {
      try {
        this.fd = openSync('/proc/thread-self/schedstat', 'r');
      } catch {
        this.fd = -1;
      }
    }
    return this.fd < 0 ? NaN : firstNumber(this.fd);
  }
}

/** ns of CPU thread `tid` of this process has used, or NaN. For the coordinator's diagnoses. */
export function threadCpuNs(tid: number): number {
  if (!(tid > 0)) return NaN;
  let fd = -1;
  try {
    fd = openSync(`/proc/self/task/${tid}/schedstat`, 'r');
    return firstNumber(fd);
  } catch {
    return NaN;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
