/** A progress line on stderr, so that a long section shows where it is. */
export const progress = (what: string) => process.stderr.write(`bench: ${what}\n`);
