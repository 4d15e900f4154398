// The docs' links, checked the way GitHub resolves them: a relative link names a file next to
// the page (and, with a #fragment, a heading of it); an absolute link to this repository's
// main branch names a file of this checkout. test/docs.test.ts runs it on README.md and docs/.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Where the README's links into the repository point, so that they work from the npm page. */
export const REPO_BLOB = 'https://github.com/zspage-stress/zspage-stress/blob/main/';

/** The link targets of a Markdown text, outside code blocks and code spans. */
export function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

/** The anchors GitHub gives a page's headings (github-slugger: lower case, punctuation dropped, spaces to '-'). */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of prose.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = m[1]!.toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** What is wrong with the links of `page` (a path under `root`): one line per broken link. */
export function linkProblems(root: string, page: string, text = readFileSync(join(root, page), 'utf8')): string[] {
  const problems: string[] = [];
  for (const target of linkTargets(text)) {
    if (/^(mailto:|https?:)/.test(target) && !target.startsWith(REPO_BLOB)) continue;
    const [path = '', fragment] = target.replace(REPO_BLOB, '/').split('#');
    if (path === '') {
      if (!headingAnchors(text).has(fragment!)) problems.push(`${page}: ${target}: no heading #${fragment} on the page`);
      continue;
    }
    const file = path.startsWith('/') ? join(root, path) : resolve(dirname(join(root, page)), path);
    const shown = relative(root, file) || '.';
    if (!existsSync(file)) problems.push(`${page}: ${target}: no file ${shown}`);
    else if (fragment !== undefined && statSync(file).isFile() && !headingAnchors(readFileSync(file, 'utf8')).has(fragment)) {
      problems.push(`${page}: ${target}: no heading #${fragment} in ${shown}`);
    }
  }
  return problems;
}
