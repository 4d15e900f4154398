/** Bad input from the user (a flag, a scenario file, a lock module): exit code 2. */
export class BadInputError extends Error {
  override name = 'BadInputError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
