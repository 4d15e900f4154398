export const OUTPUT: string;
export const TABLE: string;
export function parseTable(text: string): { name: string; meta: string; args: { type: string; name: string }[] }[];
export function generate(tableText: string, tableName?: string): { text: string; names: string[] };
