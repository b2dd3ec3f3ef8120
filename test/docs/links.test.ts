import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '@vigil/service-kit/testing';
import { describe, expect, it } from 'vitest';

// Every relative link in README.md and docs/ (runbooks included) opens: the file exists and,
// when the link names an anchor in a markdown file, that file has a heading with that slug
// (GitHub's rule: lower case, punctuation dropped, spaces to hyphens, repeats get -1, -2…).

function markdownFiles(): string[] {
  const files = [join(repoRoot, 'README.md')];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md')) files.push(path);
    }
  };
  walk(join(repoRoot, 'docs'));
  return files;
}

/** The text outside fenced code blocks. */
function unfenced(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** The text outside code blocks and inline code spans: links there are not links. */
function prose(markdown: string): string {
  return unfenced(markdown).replace(/`[^`\n]*`/g, '');
}

function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of unfenced(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function links(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const reference = [...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]!);
  return [...inline, ...reference].filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href));
}

describe('docs links', () => {
  const files = markdownFiles();

  it('finds the docs', () => {
    expect(files.length).toBeGreaterThan(15);
  });

  it('every relative link in README.md and docs/ resolves to a file and, if given, an anchor', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const href of links(source)) {
        checked++;
        const [path = '', anchor] = href.split('#', 2);
        const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
        const where = `${relative(repoRoot, file)} → ${href}`;
        if (!existsSync(target)) {
          broken.push(`${where}: no such file`);
          continue;
        }
        if (anchor && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(anchor)) {
          broken.push(`${where}: no heading #${anchor}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });

  it('the slug rule matches GitHub on the forms the docs use', () => {
    expect(
      anchors(
        '# Hub query API contract (shared)\n## A `code` title, with: punctuation\n## Repeat\n## Repeat',
      ),
    ).toEqual(
      new Set(['hub-query-api-contract-shared', 'a-code-title-with-punctuation', 'repeat', 'repeat-1']),
    );
  });
});
