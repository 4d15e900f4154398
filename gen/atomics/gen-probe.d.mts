export interface AtomicFunction {
  ret: string;
  name: string;
  params: { type: string; name: string }[];
}
export const UNSUPPORTED: RegExp;
export function parseFunctions(header: string): AtomicFunction[];
export function parseMacros(header: string): { name: string; args: number; try: boolean }[];
export function probeSource(header: string): { text: string; functions: number; macros: number; skipped: string[] };
export function dispatchSource(header: string): { text: string; functions: AtomicFunction[] };
