/**
 * The one error boundary of `trd` (src/cli/trd.ts): every command, for every kind of bad usage or input, exits 2 with
 * exactly one line `trd: <reason>` on stderr, nothing on stdout, no stack trace, no help text, no control character
 * and no file content. Runs the whole command line in-process (runTrd), plus real processes where only a process
 * shows the behaviour (standard input from a pipe, the exit status).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MADRS_ANALYZE_OPTIONS, MADRS_CSV } from '../src/stats/golden.test-support.ts';
import { REPO_ROOT, trd, trdCommand, trdProcess, type CliRun } from '../src/cli/run.test-support.ts';

const SEED = join(REPO_ROOT, 'examples', 'seed-vignette.json');
const SECRET = 'Zelda-Secret-Name';
const dir = mkdtempSync(join(tmpdir(), 'trd-boundary-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const madrs = MADRS_CSV;
const madrsOptions = MADRS_ANALYZE_OPTIONS;

function assertOneLine(run: CliRun, reason: RegExp, label: string): void {
  assert.equal(run.code, 2, `${label}: exit code (stderr ${JSON.stringify(run.stderr)})`);
  assert.equal(run.stdout, '', `${label}: stdout`);
  assert.match(run.stderr, /^trd: [^\n]+\n$/, `${label}: one line`);
  assert.match(run.stderr, reason, label);
  assert.doesNotMatch(run.stderr, /^\s+at |Usage:|Options:/m, `${label}: no stack trace, no help`);
  // eslint-disable-next-line no-control-regex -- checking that none reach the terminal
  assert.doesNotMatch(run.stderr.slice(0, -1), /[\u0000-\u001f\u007f-\u009f]/, `${label}: control characters`);
  assert.ok(!run.stderr.includes(SECRET), `${label}: file content`);
}

const counts = ['--treatment-events', '7', '--treatment-n', '13', '--control-events', '5', '--control-n', '16'];

describe('usage errors: one line, exit 2, for every command', () => {
  const cases: [string, string[], RegExp][] = [
    ['no command', [], /a command is required/],
    ['unknown command', ['asess', SEED], /unknown command 'asess'/],
    ['unknown option (assess)', ['assess', SEED, '--jsn'], /unknown option '--jsn'.*see trd assess --help/],
    ['unknown option (match)', ['match', SEED, '--bogus'], /unknown option '--bogus'/],
    ['unknown option (analyze)', ['analyze', '--counts', '--bogus'], /unknown option '--bogus'/],
    ['unknown option (design)', ['design', 'ttest', '--bogus'], /unknown option '--bogus'.*trd design ttest --help/],
    ['missing argument (assess)', ['assess'], /missing required argument 'file'/],
    ['missing argument (match)', ['match', '--json'], /missing required argument 'file'/],
    ['missing subcommand (design)', ['design'], /trd design: a command is required/],
    ['too many arguments', ['assess', SEED, SEED], /too many arguments/],
    ['escape characters in an option', ['assess', SEED, '--\u001b[31mred'], /unknown option/],
    ['missing option value', ['assess', SEED, '--as-of'], /argument missing/],
    [
      'an option given twice (commander kept the last in silence)',
      ['analyze', madrs, ...madrsOptions, '--outcome', 'crp'],
      /option '--outcome' is given more than once.*see trd analyze --help/,
    ],
    [
      'a date given twice',
      ['assess', SEED, '--as-of=2026-01-01', '--as-of', '2026-01-02'],
      /option '--as-of' is given more than once/,
    ],
    [
      'analyze --counts with a CSV (the file was not read, in silence)',
      ['analyze', '--counts', ...counts, madrs],
      /--counts analyses the counts given as options; it reads no file/,
    ],
    [
      'analyze --counts with --report (no report was written, in silence)',
      ['analyze', '--counts', ...counts, '--report', join(dir, 'r.html')],
      /--report is for a CSV analysis; --counts does not use it/,
    ],
    [
      'analyze of a CSV with a counts option (ignored in silence)',
      ['analyze', madrs, ...madrsOptions, '--adverse'],
      /--adverse goes with --counts; a CSV analysis does not use it/,
    ],
    [
      'a negative remission threshold (no score can meet it)',
      ['analyze', madrs, ...madrsOptions, '--remission-max', '-1'],
      /--remission-max must be >= 0/,
    ],
    [
      'synth --gzip with an OMOP format (ignored in silence)',
      ['synth', '--patients', '3', '--format', 'omop-csv', '--gzip', '--out', join(dir, 'omop-gz')],
      /--gzip goes with --format ndjson only/,
    ],
    ['help for an unknown command', ['help', 'asess'], /^trd: unknown command 'asess' \(see trd --help\)\n$/],
    ['an empty --host (it would listen on every interface)', ['serve', '--host', ''], /--host must name an interface/],
    ['a blank --host', ['serve', '--port', '0', '--host', ' '], /--host must name an interface/],
  ];
  for (const [name, args, reason] of cases) {
    test(name, async () => assertOneLine(await trd(args), reason, name));
  }
  test('--help and --version still print and exit 0', async () => {
    const help = await trd(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /assess +assess one patient/);
    const version = await trd(['--version']);
    assert.equal(version.code, 0);
    assert.equal(
      version.stdout.trim(),
      (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
    // The help command prints the help asked for and succeeds (it printed it, then failed with 'trd: trd: ...').
    for (const [args, usage] of [
      [['help'], 'Usage: trd [options] [command]'],
      [['help', 'assess'], 'Usage: trd assess [options] <file>'],
      [['design', 'help', 'ttest'], 'Usage: trd design ttest [options]'],
    ] as const) {
      const shown = await trd([...args]);
      assert.deepEqual([shown.code, shown.stderr, shown.stdout.split('\n')[0]], [0, '', usage], args.join(' '));
    }
    const sub = await trd(['assess', '--help']);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /--allow-future-as-of/);
  });
});

describe('bad input and unwritable output: one line, exit 2', () => {
  const report = ['analyze', madrs, ...madrsOptions];
  const cases: [string, () => string[], RegExp][] = [
    [
      '--report into a missing folder',
      () => [...report, '--report', join(dir, 'no', 'such', 'r.html')],
      /--report: cannot write .*: no such file or folder\n$/,
    ],
    [
      '--report over its own input',
      () => {
        const copy = join(dir, 'input.csv');
        copyFileSync(madrs, copy);
        return ['analyze', copy, ...madrsOptions, '--report', copy];
      },
      /--report .*input\.csv is an input of this command/,
    ],
    ['--report into a directory', () => [...report, '--report', dir], /cannot write .*: is a directory\n$/],
    ['--as-of after today', () => ['assess', SEED, '--as-of', '2999-01-01'], /after today .*--allow-future-as-of/],
    ['--as-of after today (match)', () => ['match', SEED, '--as-of', '2999-01-01'], /after today/],
    [
      'a CSV that is not a CSV',
      () => ['analyze', file('bad.csv', `a,b\n"${SECRET},1\n`), ...madrsOptions],
      /not a readable CSV \(CSV_[A-Z_]+/,
    ],
    [
      '/dev/zero is refused at the size limit',
      () => ['assess', '/dev/zero', '--max-bytes', '5000000'],
      /\/dev\/zero is larger than 5000000 bytes/,
    ],
    [
      'a pathway file with a syntax error: position only, no excerpt',
      () => ['assess', SEED, '--pathway', file('pathway.json', `{"id": "${SECRET}" ,, }`)],
      /invalid pathway: .*not valid JSON: [a-z ,]+ at position \d+/,
    ],
    [
      'a non-Bundle: its resourceType is not echoed',
      () => ['assess', file('np.json', JSON.stringify({ resourceType: `${SECRET}\u001b[2J` }))],
      /expected a FHIR Bundle, got another resource type/,
    ],
    [
      'design: --n-per-arm and --trials are bounded',
      () => [
        'design',
        'enrichment',
        '--simulate',
        '--beta0',
        '3',
        '--beta1',
        '1',
        '--sd',
        '8',
        '--n-per-arm',
        '1000000000',
      ],
      /n per arm \(enriched\) must be an integer from 3 to 100000/,
    ],
    [
      'design: too much simulation work',
      () => [
        'design',
        'enrichment',
        '--simulate',
        '--beta0',
        '3',
        '--beta1',
        '1',
        '--sd',
        '8',
        '--n-per-arm',
        '100000',
        '--trials',
        '1000000',
      ],
      /simulated patients .*lower --trials/,
    ],
    [
      'analyze --counts at 2^53',
      () => [
        'analyze',
        '--counts',
        '--treatment-events',
        '9007199254740992',
        '--treatment-n',
        '9007199254740993',
        '--control-events',
        '1',
        '--control-n',
        '9007199254740992',
      ],
      /--treatment-n must be a whole number from 1 to 10000000/,
    ],
    ['--max-bytes not a number', () => ['assess', SEED, '--max-bytes', 'lots'], /--max-bytes must be a whole number/],
    [
      'a JSON syntax error quotes nothing',
      () => ['assess', file('bad.json', `{"name": "${SECRET}" x}`)],
      /is not valid JSON: [a-z ,]+ at position \d+\n$/,
    ],
  ];
  for (const [name, args, reason] of cases) {
    test(name, async () => assertOneLine(await trd(args()), reason, name));
  }
  test('--allow-future-as-of evaluates and reports the future date in the result issues', async () => {
    const r = await trd(['assess', SEED, '--as-of', '2999-01-01', '--allow-future-as-of', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const issues = (JSON.parse(r.stdout) as { issues: { code: string; severity: string }[] }).issues;
    assert.ok(issues.some((i) => i.code === 'input.as-of.future' && i.severity === 'warning'));
  });
});

describe('analyze reads standard input with -', () => {
  test('in-process', async () => {
    const r = await trd(['analyze', '-', ...madrsOptions, '--json'], readFileSync(madrs, 'utf8'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { schema: string }).schema, 'precision-trd/analysis@1');
  });
  test('as a real process with a pipe; bad input on the pipe is one line, exit 2', async () => {
    const good = await trdProcess(['analyze', '-', ...madrsOptions, '--json'], { stdin: readFileSync(madrs, 'utf8') });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /"schema": "precision-trd\/analysis@1"/);
    const bad = await trdProcess(['assess', '-', '--as-of', '2026-11-27'], { stdin: `{"x": "${SECRET}"` });
    assertOneLine(bad, /^trd: stdin is not valid JSON/, 'stdin');
  });
});

describe('output folders and trial stores: one line, exit 2, nothing made or changed', () => {
  // Node's recursive mkdir never returns for a path under /proc: each of these hung before.
  const hung: [string, string[], RegExp][] = [
    ['synth --out under /proc', ['synth', '--patients', '3', '--out', '/proc/trd-x/y'], /--out: cannot write/],
    [
      'trial init --db under /proc',
      [
        'trial',
        'init',
        '--db',
        '/proc/trd-x/t.db',
        '--protocol',
        'insight',
        '--sites',
        'A',
        '--seed',
        '1',
        '--block-sizes',
        '4',
      ],
      /--db: cannot write \/proc\/trd-x/,
    ],
    ['serve --data-dir under /proc', ['serve', '--port', '0', '--data-dir', '/proc/trd-x/y'], /--data-dir: cannot/],
  ];
  for (const [name, args, reason] of hung) test(name, async () => assertOneLine(await trd(args), reason, name));

  test('a trial store that is missing, empty or not SQLite is refused and left as it was', async () => {
    const missing = join(dir, 'missing.db');
    const empty = file('empty.db', '');
    const other = file('other.db', `${SECRET}\n`);
    const runs: [string[], RegExp][] = [
      [['trial-user', 'list', '--trial-db', missing], /--trial-db: no trial database at /],
      [['trial', 'verify-audit', '--db', empty], /--db: .*empty\.db is not a SQLite database/],
      [['trial', 'consort', '--db', other], /--db: .*other\.db is not a SQLite database/],
      [['trial', 'backup', '--db', other, '--to', join(dir, 'b.db')], /is not a SQLite database/],
      [['trial', 'restore', '--from', other, '--db', join(dir, 'r.db')], /--from: .* is not a SQLite database/],
    ];
    runs.push([['serve', '--port', '0', '--trial-db', other], /the database file is not a SQLite database/]);
    for (const [args, reason] of runs) assertOneLine(await trd(args), reason, args.slice(0, 2).join(' '));
    assert.ok(!existsSync(missing), 'no database was made');
    assert.equal(readFileSync(empty, 'utf8'), '', 'the empty file is unchanged');
  });
});

test('standard output that cannot be written (a full disk) is one line, exit 2, no stack trace', () => {
  const full = openSync('/dev/full', 'w');
  try {
    const run = spawnSync(process.execPath, [...trdCommand(), 'assess', SEED, '--as-of', '2026-11-27'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', full, 'pipe'],
      encoding: 'utf8',
      timeout: 60_000,
    });
    assertOneLine(
      { code: run.status ?? -1, stdout: '', stderr: run.stderr },
      /^trd: cannot write the standard output: no space left on the device\n$/,
      '/dev/full',
    );
  } finally {
    closeSync(full);
  }
});
