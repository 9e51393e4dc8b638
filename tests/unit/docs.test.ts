// The documentation stays true to the tree: its links lead somewhere, and every environment
// variable the code reads is documented (docs/configuration.md, docs/testing.md).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ROOT,
  anchorsOf,
  brokenLink,
  envReadsInScript,
  envReadsInShell,
  envReadsOfProduct,
  githubSlug,
  linksOf,
  markdownPages,
  proseLines,
} from '../support/docs-check';

const read = (file: string) => (fs.existsSync(path.join(ROOT, file)) ? fs.readFileSync(path.join(ROOT, file), 'utf8') : null);
const pages = markdownPages();

/**
 * Variables the code reads that are not configuration: set by Next.js or npm start itself, or by
 * the CI system (CI is documented in docs/testing.md all the same).
 */
const NOT_CONFIGURATION: Record<string, string> = {
  NODE_ENV: 'set by npm start (production) and npm run dev (development), and by Next.js',
  NEXT_RUNTIME: 'set by Next.js: which of its runtimes loads instrumentation.ts',
  CI: 'set by the CI system',
};

/** The names a page documents: those in backticks on a table row. */
function documentedNames(): Set<string> {
  const names = new Set<string>();
  for (const page of pages) {
    for (const line of proseLines(read(page)!)) {
      if (!line.trimStart().startsWith('|')) continue;
      for (const match of line.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(match[1]!);
    }
  }
  return names;
}

describe('links', () => {
  const links = pages.flatMap((page) => linksOf(page, read(page)!));

  it('finds the pages and their links', () => {
    expect(pages).toContain('README.md');
    expect(pages).toContain(path.join('docs', 'configuration.md'));
    // The README alone links every page of docs/ and its screenshot.
    expect(links.filter((link) => link.page === 'README.md').length).toBeGreaterThan(8);
  });

  it('leads every relative link to a file that exists, and every #fragment to a heading of it', () => {
    const broken = links.flatMap((link) => {
      const why = brokenLink(link, read);
      return why ? [`${link.page}:${link.line} ${link.target}: ${why}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it('links every page of docs/ from the README', () => {
    const linked = new Set(
      links.filter((link) => link.page === 'README.md' && !/^[a-z]+:/i.test(link.target)).map((link) => path.normalize(link.target.split('#')[0]!)),
    );
    expect(pages.filter((page) => page !== 'README.md' && !linked.has(page))).toEqual([]);
  });

  it('keeps the README a front door with the two set-up commands', () => {
    const readme = read('README.md')!;
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
    expect(readme.split('\n').length).toBeLessThanOrEqual(150);
  });
});

describe('link checker', () => {
  it("makes GitHub's anchors", () => {
    expect(githubSlug('Arrow Flight and Flight SQL')).toBe('arrow-flight-and-flight-sql');
    expect(githubSlug('Set by `npm start`')).toBe('set-by-npm-start');
    expect(githubSlug('The runtime: querying an app with its key')).toBe('the-runtime-querying-an-app-with-its-key');
    expect(githubSlug('Who may do what?')).toBe('who-may-do-what');
    expect(githubSlug('[Links](x.md) and **bold**, 2 × N')).toBe('links-and-bold-2--n');
    expect([...anchorsOf('# A\n## A\n```\n# not a heading\n```\n<a id="here"></a>')]).toEqual(['a', 'a-1', 'here']);
  });

  it('finds links outside code only, and reports the broken ones', () => {
    const page = path.join('docs', 'page.md');
    const markdown = [
      '[ok](configuration.md#portal) ![shot](../public/readme/general-settings.png) [web](https://example.com)',
      '`[not](a-link.md)` and [gone](nowhere.md) and [bad anchor](runtime.md#no-such-heading) [self](#top)',
      '```',
      '[inside](code.md)',
      '```',
      '# Top',
    ].join('\n');
    const links = linksOf(page, markdown);
    expect(links.map((link) => link.target)).toEqual([
      'configuration.md#portal',
      '../public/readme/general-settings.png',
      'https://example.com',
      'nowhere.md',
      'runtime.md#no-such-heading',
      '#top',
    ]);
    const readPage = (file: string) => (file === page ? markdown : read(file));
    expect(links.map((link) => brokenLink(link, readPage))).toEqual([
      null,
      null,
      null,
      `${path.join('docs', 'nowhere.md')} does not exist`,
      `${path.join('docs', 'runtime.md')} has no heading for #no-such-heading`,
      null,
    ]);
  });
});

describe('environment variables', () => {
  const reads = envReadsOfProduct();

  it('finds the variables of every kind of read', () => {
    // One of each: process.env.X (lib/db.ts), env.X on an env object (lib/env.ts), a zod env
    // schema's key (lib/runtime/config.ts, lib/runtime/flight/config.ts, scripts/rotate-secrets.ts),
    // a shell default (scripts/test.sh).
    for (const name of ['DATABASE_URL', 'RUNTIME_PUBLIC_URL', 'RUNTIME_MAX_OPEN_APPS', 'FLIGHT_HOST', 'NEW_KEY_DIGEST_SECRET', 'TEST_POSTGRES_URL']) {
      expect(reads.has(name), name).toBe(true);
    }
    expect(reads.size).toBeGreaterThan(50);
  });

  it('documents every variable the code reads in a table of docs/ or the README', () => {
    const documented = documentedNames();
    const missing = [...reads]
      .filter(([name]) => !(name in NOT_CONFIGURATION) && !documented.has(name))
      .map(([name, files]) => `${name} (read in ${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('excludes only variables the code still reads', () => {
    expect(Object.keys(NOT_CONFIGURATION).filter((name) => !reads.has(name))).toEqual([]);
  });

  it('recognises each form of read, and not a variable that is only set', () => {
    const source = `
      const a = process.env.PLAIN_READ ?? 'x';
      const b = process.env['BRACKET_READ'];
      const { DESTRUCTURED } = process.env;
      function f(env: Record<string, string | undefined> = process.env) { return env.PASSED_ENV ?? env['PASSED_BRACKET']; }
      const c = runtimeEnv.NAMED_ENV;
      const schema = z.object({ SCHEMA_KEY: z.string(), 'QUOTED_KEY': z.string(), lowercase: z.string() });
      process.env.ONLY_SET = '1';
      process.env.DEFAULTED ??= '1';
      const child = { ...process.env, CHILD_ONLY: '1' };
      const other = config.NOT_ENV;
    `;
    expect([...envReadsInScript(source)].sort()).toEqual(
      ['BRACKET_READ', 'DEFAULTED', 'DESTRUCTURED', 'NAMED_ENV', 'PASSED_BRACKET', 'PASSED_ENV', 'PLAIN_READ', 'QUOTED_KEY', 'SCHEMA_KEY'].sort(),
    );
    expect([...envReadsInShell('if [ -z "${TEST_URL:-}" ]; then x=${OTHER-default}; fi; echo ${PG_DIR} $LOCAL ${1:-}')].sort()).toEqual(['OTHER', 'TEST_URL']);
  });
});
