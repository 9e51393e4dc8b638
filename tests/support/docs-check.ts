// What tests/unit/docs.test.ts checks the documentation against: the environment variables the
// code reads, and the links and headings of Markdown pages.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

function isProcessEnv(node: ts.Node): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'env' && ts.isIdentifier(node.expression) && node.expression.text === 'process';
}

/** `env`, `runtimeEnv`, `sqliteEnv`…: an object of environment variables by its name. */
function isEnvObject(node: ts.Node): boolean {
  return isProcessEnv(node) || (ts.isIdentifier(node) && /(^|[a-z])env$/i.test(node.text));
}

/** `process.env.X = …` sets a variable for a child process: not a read (`??=` and `||=` read too). */
function isAssignedTo(node: ts.Node): boolean {
  const parent = node.parent;
  return ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
}

function propertyName(name: ts.PropertyName): string | null {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  return null;
}

/**
 * The environment variables a TypeScript or JavaScript source reads:
 *   process.env.NAME, process.env['NAME'], env.NAME and env['NAME'] (any env object: a
 *   `Record<string, string | undefined>` handed around in place of process.env),
 *   const { NAME } = process.env,
 *   and the keys of zod schemas that parse the environment: z.object({ NAME: … }).
 */
export function envReadsInScript(source: string, fileName = 'source.ts'): Set<string> {
  const names = new Set<string>();
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : undefined);
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isEnvObject(node.expression) && ENV_NAME.test(node.name.text) && !isAssignedTo(node)) {
      names.add(node.name.text);
    }
    if (ts.isElementAccessExpression(node) && isEnvObject(node.expression) && ts.isStringLiteralLike(node.argumentExpression)) {
      const name = node.argumentExpression.text;
      if (ENV_NAME.test(name) && !isAssignedTo(node)) names.add(name);
    }
    if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer && isEnvObject(node.initializer)) {
      for (const element of node.name.elements) {
        const key = element.propertyName ?? element.name;
        const name = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : null;
        if (name && ENV_NAME.test(name)) names.add(name);
      }
    }
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'object' &&
      ts.isIdentifier(node.expression.expression) &&
      node.expression.expression.text === 'z'
    ) {
      const shape = node.arguments[0];
      if (shape && ts.isObjectLiteralExpression(shape)) {
        for (const property of shape.properties) {
          const name = property.name ? propertyName(property.name) : null;
          if (name && ENV_NAME.test(name)) names.add(name);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return names;
}

/**
 * The environment variables a shell script reads: `${NAME:-…}` and `${NAME-…}`, the form a
 * script under `set -u` uses for a variable that may be unset. (Plain `$NAME` is not counted:
 * in a script it is as often a variable of its own.)
 */
export function envReadsInShell(source: string): Set<string> {
  const names = new Set<string>();
  for (const match of source.matchAll(/\$\{([A-Z][A-Z0-9_]*):?-/g)) names.add(match[1]!);
  return names;
}

const SCRIPT = /\.(ts|tsx|mts|js|mjs|cjs)$/;

function filesUnder(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return relative === path.join('lib', 'generated') ? [] : filesUnder(relative);
    return [relative];
  });
}

/**
 * The product's source, the scripts and the configuration `npm start` and `npm test` run with:
 * not the tests (they set variables for the code under test, and read a few of their own, which
 * docs/testing.md documents).
 */
export function productFiles(): string[] {
  const roots = ['proxy.ts', 'instrumentation.ts', 'next.config.js', 'prisma.config.ts', 'playwright.config.ts', path.join('.ci', 'run')];
  return [...filesUnder('lib'), ...filesUnder('app'), ...filesUnder('scripts'), ...roots.filter((file) => fs.existsSync(path.join(ROOT, file)))].filter(
    (file) => SCRIPT.test(file) || file.endsWith('.sh') || file === path.join('.ci', 'run'),
  );
}

/** Every environment variable read by the product files, with the files that read it. */
export function envReadsOfProduct(): Map<string, string[]> {
  const reads = new Map<string, string[]>();
  for (const file of productFiles()) {
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const names = SCRIPT.test(file) ? envReadsInScript(source, file) : envReadsInShell(source);
    for (const name of names) reads.set(name, [...(reads.get(name) ?? []), file]);
  }
  return reads;
}

// Markdown

export function markdownPages(): string[] {
  return ['README.md', ...filesUnder('docs').filter((file) => file.endsWith('.md'))];
}

/** The text outside fenced code blocks, line by line (code lines become empty, so numbers stay right). */
export function proseLines(markdown: string): string[] {
  let fence: string | null = null;
  return markdown.split('\n').map((line) => {
    const opening = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (opening && opening[1]!.startsWith(fence)) fence = null;
      return '';
    }
    if (opening) {
      fence = opening[1]!;
      return '';
    }
    return line;
  });
}

const withoutCodeSpans = (line: string) => line.replace(/(`+)(?:(?!\1).)+\1/g, '');

/** The text of a heading as GitHub renders it: inline code kept, links and emphasis reduced to their text. */
function headingText(raw: string): string {
  return raw
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/(\*\*|__|\*|_)(\S(?:.*?\S)?)\1/g, '$2');
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped (hyphens and underscores kept), spaces as hyphens. */
export function githubSlug(heading: string): string {
  return headingText(heading)
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a page: its headings' slugs (repeats get -1, -2, … as on GitHub) and explicit `id`/`name` anchors. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (heading) {
      const slug = githubSlug(heading[1]!);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+(?:[^>]*\s)?(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  }
  return anchors;
}

export type Link = { page: string; line: number; target: string };

/** The link targets of a page, outside code: inline links and images, reference definitions, HTML href and src. */
export function linksOf(page: string, markdown: string): Link[] {
  const links: Link[] = [];
  proseLines(markdown).forEach((text, index) => {
    const line = withoutCodeSpans(text);
    const targets = [
      ...[...line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/\s(?:href|src)="([^"]+)"/g)].map((m) => m[1]!),
    ];
    for (const target of targets) links.push({ page, line: index + 1, target });
  });
  return links;
}

/** Why a relative link is broken, or null when it resolves (links with a scheme are not checked). */
export function brokenLink(link: Link, read: (file: string) => string | null): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) return null;
  const [rawPath = '', fragment] = link.target.split('#', 2);
  const relative = decodeURIComponent(rawPath);
  const file = relative === '' ? link.page : relative.startsWith('/') ? relative.slice(1) : path.join(path.dirname(link.page), relative);
  const normalized = path.normalize(file);
  if (normalized.startsWith('..') || path.isAbsolute(normalized)) return `${link.target} leads out of the repository`;
  const full = path.join(ROOT, normalized);
  if (normalized !== path.normalize(link.page) && !fs.existsSync(full)) return `${normalized} does not exist`;
  if (fragment === undefined || !normalized.endsWith('.md')) return null;
  const target = read(normalized);
  if (target === null) return `${normalized} cannot be read`;
  return anchorsOf(target).has(fragment) ? null : `${normalized} has no heading for #${fragment}`;
}
