/**
 * The references a reader follows: every file path the README, docs/*.md and the other READMEs cite exists, and
 * every section a doc or a code comment cites by its title (`docs/care-pathway.md, "What goes in"`) is a heading of
 * that page (or a bold run-in title, `**Seeded and reproducible.**`), so a renamed section or a moved file is caught
 * where it is cited, not by the next reader. And the lists the docs give are whole: the README's commands (against
 * `trd --help`) and CI packages (against .ci/run), the assessment's fields (docs/care-pathway.md "The result") and the
 * engine's calls (docs/engine.md "The door").
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, trd } from '../src/cli/run.test-support.ts';
import { createEngine } from '../src/engine/index.ts';

/** Files under `dir` (relative to the repository) whose name ends with one of `endings`, node_modules left out. */
function filesUnder(dir: string, endings: readonly string[]): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && endings.some((end) => e.name.endsWith(end)))
    .map((e) => relative(REPO_ROOT, join(e.parentPath, e.name)))
    .filter((path) => !path.includes('node_modules'));
}

const DOCS = [
  'README.md',
  ...filesUnder('docs', ['.md']),
  ...['knowledge', 'reference', 'src', 'test/fixtures'].flatMap((dir) => filesUnder(dir, ['README.md'])),
];
const DOCS_AND_CODE = [
  ...DOCS,
  ...filesUnder('src', ['.ts']),
  ...filesUnder('test', ['.ts']),
  ...filesUnder('scripts', ['.ts', '.mjs']),
  ...filesUnder('bench', ['.ts', '.mjs']),
];

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

/** The repository paths a text cites: `src/...`, `knowledge/...`, and so on, without placeholders (`<id>`, `*`, `X`). */
function citedPaths(text: string): string[] {
  const paths = new Set<string>();
  const pattern = /(?<![\w./-])((?:src|test|knowledge|scripts|bench|reference|examples|docs)\/[\w./-]*[\w/])/g;
  for (const m of text.matchAll(pattern)) {
    const path = m[1]!;
    if (/\/X\.|\/<|\*/.test(path) || /[<*]/.test(text.slice(m.index + path.length, m.index + path.length + 1)))
      continue;
    paths.add(path);
  }
  return [...paths];
}

/**
 * The sections a text cites by title: `care-pathway.md, "What goes in"`, `[README.md](docs/README.md), "Changing the
 * knowledge"` (comma optional, `docs/` optional: every page cited so is in docs/).
 */
function citedSections(text: string): { page: string; title: string }[] {
  const cites: { page: string; title: string }[] = [];
  for (const m of text
    .replace(/\n\s*(?:\*|\/\/)?\s*/g, ' ')
    .matchAll(/\b([A-Za-z-]+\.md)[`)]*,? ["']([^"']{3,80})["']/g))
    cites.push({ page: m[1]!, title: m[2]! });
  return cites;
}

/** The titles a page can be cited by: its headings and its bold run-in titles. */
function sectionTitles(markdown: string): string[] {
  const headings = [...markdown.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim());
  const runIn = [...markdown.matchAll(/\*\*([^*]+?)\.?\*\*/g)].map((m) => m[1]!.trim());
  return [...headings, ...runIn];
}

function pageFile(page: string): string | undefined {
  return existsSync(join(REPO_ROOT, 'docs', page)) ? join('docs', page) : undefined;
}

test('citedSections and sectionTitles read citations and titles as the docs write them', () => {
  assert.deepEqual(citedSections('(docs/care-pathway.md, "What goes in")'), [
    { page: 'care-pathway.md', title: 'What goes in' },
  ]);
  assert.deepEqual(citedSections('[`docs/README.md`](docs/README.md), "Changing the knowledge"'), [
    { page: 'README.md', title: 'Changing the knowledge' },
  ]);
  assert.deepEqual(citedSections(" * docs/statistics.md 'One subject in\n * an arm'"), [
    { page: 'statistics.md', title: 'One subject in an arm' },
  ]);
  assert.deepEqual(sectionTitles('# Page\n## What goes in\n- **Seeded and reproducible.** The generator'), [
    'Page',
    'What goes in',
    'Seeded and reproducible',
  ]);
  assert.deepEqual(citedPaths('`src/cli/trd.ts`, knowledge/codesets/X.json, `knowledge/trials/<id>.json`'), [
    'src/cli/trd.ts',
  ]);
});

test('every file path the README, docs/ and the other READMEs cite exists', () => {
  const missing = DOCS.flatMap((doc) =>
    citedPaths(read(doc))
      .filter((path) => !existsSync(join(REPO_ROOT, path)))
      .map((path) => `${doc}: ${path}`),
  );
  assert.deepEqual(missing, []);
});

test('every section a doc or a code comment cites by title is a section of that page', () => {
  const titles = new Map<string, string[]>();
  const wrong: string[] = [];
  for (const file of DOCS_AND_CODE.filter((f) => f !== 'test/doc-references.test.ts')) {
    for (const { page, title } of citedSections(read(file))) {
      const path = pageFile(page);
      if (path === undefined) continue;
      if (!titles.has(path)) titles.set(path, sectionTitles(read(path)));
      // A title may be cited by its opening words: "Unverified values" for "Unverified values in version 1.1".
      if (!titles.get(path)!.some((t) => t === title || (t.startsWith(title) && /^\W/.test(t.slice(title.length)))))
        wrong.push(`${file}: ${page} "${title}"`);
    }
  }
  assert.deepEqual(wrong, []);
});

/** The command names a `--help` lists under "Commands:" (`help` aside). */
async function subcommands(args: readonly string[]): Promise<string[]> {
  const { stdout } = await trd([...args, '--help']);
  const list = stdout.slice(stdout.indexOf('Commands:'));
  return [...list.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
}

test("the README's table of commands names every command and subcommand trd --help lists", async () => {
  const readme = read('README.md');
  const table = readme.slice(readme.indexOf('## Commands'), readme.indexOf('### `trd assess`'));
  const missing: string[] = [];
  for (const command of await subcommands([])) {
    if (!new RegExp(`\`trd ${command}\\b`).test(table)) missing.push(command);
    for (const sub of await subcommands([command]))
      if (!new RegExp(`\`trd ${command} [^\`]*\\b${sub}\\b`).test(table)) missing.push(`${command} ${sub}`);
  }
  assert.deepEqual(missing, []);
});

test('docs/care-pathway.md "The result" names every field of the assessment trd assess --json prints', () => {
  const page = read('docs/care-pathway.md');
  const section = page.slice(page.indexOf('## The result'), page.indexOf('\n## ', page.indexOf('## The result') + 1));
  const bundle = JSON.parse(read('examples/seed-vignette.json')) as unknown;
  const fields = Object.keys(createEngine().assess(bundle, { asOf: '2026-11-27' })).filter((f) => f !== 'schema');
  assert.deepEqual(
    fields.filter((field) => !section.includes(`\`${field}\``)),
    [],
  );
});

test("the README's Continuous integration section names every Debian package .ci/run installs", () => {
  const packages = [...read('.ci/run').matchAll(/need\+=\(([\w.-]+)\)/g)].map((m) => m[1]!);
  assert.ok(packages.length >= 3, 'the packages of .ci/run');
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('## Continuous integration'));
  assert.deepEqual(
    packages.filter((name) => !section.includes(`\`${name}\``)),
    [],
  );
});

test('docs/engine.md "The door" names every call of the engine createEngine() returns', () => {
  const page = read('docs/engine.md');
  const door = page.slice(page.indexOf('## The door'), page.indexOf('## The read'));
  const engine = createEngine() as unknown as Record<string, unknown>;
  const calls = Object.keys(engine).filter((key) => typeof engine[key] === 'function');
  assert.ok(calls.includes('assess'));
  assert.deepEqual(
    calls.filter((call) => !door.includes(`\`${call}(`)),
    [],
  );
});
