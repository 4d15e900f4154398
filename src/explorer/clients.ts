// The clients exhaustive exploration proves (exhaustive.ts): a program of R/W sections per
// thread, as `--clients` gives them and as reports name them.
import { BadInputError } from '../errors.js';

/** The clients `explore --exhaustive` proves by default: 2R+1W x 2 sections and 1R+2W x 2 sections. */
export const DEFAULT_CLIENTS = ['RR/RR/WW', 'RR/WW/WW'];

/** `--clients RR/RR/WW,RR/WW/WW`: each client its programs, one per thread. */
export function parseClients(text: string, command = 'explore'): string[][] {
  return text.split(',').map((c) => {
    const programs = c.trim().split('/');
    if (programs.length > 16 || !programs.every((p) => /^[RW]{1,64}$/.test(p))) {
      throw new BadInputError(`${command}: --clients: '${c}' must be 1..16 programs of letters R and W, '/'-separated (e.g. RR/RR/WW)`);
    }
    return programs;
  });
}

/** RR/RR/WW is "2R+1W x 2 sections"; a client whose programs mix R and W is given as written. */
export function describeClient(programs: readonly string[]): string {
  const len = programs[0]!.length;
  const pure = programs.every((p) => p.length === len && (/^R+$/.test(p) || /^W+$/.test(p)));
  if (!pure) return programs.join('/');
  const r = programs.filter((p) => p[0] === 'R').length;
  const w = programs.length - r;
  const shape = [r > 0 ? `${r}R` : '', w > 0 ? `${w}W` : ''].filter(Boolean).join('+');
  return `${shape} x ${len} section${len === 1 ? '' : 's'} (${programs.join('/')})`;
}
