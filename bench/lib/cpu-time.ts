import { readFileSync } from 'node:fs';

/**
 * This thread's time on a CPU in ms (/proc/thread-self/schedstat): unlike the wall
 * clock, it leaves out the time the machine's other tenants had the core.
 */
export const threadCpuMs = () => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ', 1)[0]) / 1e6;
