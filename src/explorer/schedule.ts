// The schedule string: everything replay() needs besides the lock.
//
//   <programs>@<steps>
//   programs: one word per simulated thread, '/'-separated, one letter per section:
//             R = readLock; readUnlock      W = writeTrylock; writeUnlock if it returned true
//   steps:    the thread index run at each step, comma-separated, runs of one thread
//             written as <thread>x<count>
//
// e.g. "RW/WR/RR@0x3,1,2x2,0" runs thread 0 for 3 steps, thread 1 for 1, thread 2 for 2, thread 0 for 1.
// A step is one atomic op of that thread (or a call that makes none, or its atomics.wait timing out).
// Weak memory (explore --memory weak) adds read choices: <thread>.<k> is a step whose load read
// the k-th older message it could see (0, the newest, is not written), e.g. "RW/WR@0x3,1.1,0".
import { BadInputError } from '../errors.js';

export interface Schedule {
  programs: string[];
  steps: number[];
  /** choices[step] = k > 0 where the step's load read an older message (weak memory). */
  choices: number[];
}

export function formatSchedule(programs: readonly string[], steps: readonly number[], choices: readonly number[] = []): string {
  const runs: string[] = [];
  for (let i = 0; i < steps.length; ) {
    if (choices[i]) {
      runs.push(`${steps[i]}.${choices[i]}`);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < steps.length && steps[j] === steps[i] && !choices[j]) j++;
    runs.push(j - i === 1 ? `${steps[i]}` : `${steps[i]}x${j - i}`);
    i = j;
  }
  return `${programs.join('/')}@${runs.join(',')}`;
}

export function parseSchedule(text: string): Schedule {
  const bad = (why: string): never => {
    throw new BadInputError(`bad schedule '${text.length > 60 ? text.slice(0, 57) + '...' : text}': ${why}`);
  };
  const at = text.indexOf('@');
  if (at < 0) bad("no '@' between the programs and the steps");
  const programs = text.slice(0, at).trim().split('/');
  if (programs.length > 16) bad('at most 16 threads');
  for (const p of programs) if (!/^[RW]{1,64}$/.test(p)) bad(`program '${p}' must be 1..64 letters R or W`);
  const steps: number[] = [];
  const choices: number[] = [];
  const body = text.slice(at + 1).trim();
  for (const run of body === '' ? [] : body.split(',')) {
    const m = /^(\d+)(?:x(\d+)|\.(\d+))?$/.exec(run.trim());
    if (!m) bad(`step run '${run}' is not <thread>, <thread>x<count> or <thread>.<read choice>`);
    const thread = Number(m![1]);
    const count = m![2] === undefined ? 1 : Number(m![2]);
    if (m![3] !== undefined && Number(m![3]) > 0) choices[steps.length] = Number(m![3]);
    if (thread >= programs.length) bad(`thread ${thread} out of range (there are ${programs.length})`);
    if (count < 1 || steps.length + count > 1_000_000) bad('step count out of range');
    for (let k = 0; k < count; k++) steps.push(thread);
  }
  return { programs, steps, choices };
}
