/** Bad input from the user (a flag, a scenario file, a lock module): exit code 2. */
export class BadInputError extends Error {
  override name = 'BadInputError';
}

export const EXIT = { pass: 0, violation: 1, badInput: 2, harness: 3 } as const;

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
