/** Where a command leaves its exit code. */
export interface CommandResult {
  code: number;
}

export const say = (line: string) => process.stdout.write(line + '\n');
