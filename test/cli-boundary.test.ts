/**
 * The one error boundary of `trd` (src/cli/trd.ts): every command, for every kind of bad usage or input, exits 2 with
 * exactly one line `trd: <reason>` on stderr, nothing on stdout, no stack trace, no help text, no control character
 * and no file content. Runs the whole command line in-process (runTrd), plus real processes where only a process
 * shows the behaviour (standard input from a pipe, the exit status).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
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
    [
      'missing subcommand (design): the line names trd once',
      ['design'],
      /^trd: design: a command is required \(see trd design --help\)\n$/,
    ],
    ['missing subcommand (trial)', ['trial'], /^trd: trial: a command is required \(see trd trial --help\)\n$/],
    ['too many arguments', ['assess', SEED, SEED], /too many arguments/],
    [
      'the FILE after --trial ID ... (the variadic option took it)',
      ['match', '--trial', 'insight', SEED],
      /missing required argument 'file': --trial takes every word after it; give the file before --trial or end its list with -- \(see trd match --help\)\n$/,
    ],
    ['escape characters in an option', ['assess', SEED, '--\u001b[31mred'], /unknown option/],
    ['missing option value', ['assess', SEED, '--as-of'], /argument missing/],
    [
      'an option taken as the value of the one before (--report --json wrote a file named --json)',
      ['analyze', madrs, ...madrsOptions, '--report', '--json'],
      /^trd: option '--report <file\.html>' argument missing \(it took the option '--json' as its value\) \(see trd analyze --help\)\n$/,
    ],
    [
      'an option taken as a folder (synth --out --gzip made a folder named --gzip)',
      ['synth', '--patients', '3', '--out', '--gzip'],
      /option '--out <dir>' argument missing \(it took the option '--gzip' as its value\)/,
    ],
    [
      'an option taken as a collected value',
      ['serve', '--cds-client', '--port', '0'],
      /option '--cds-client <iss=jwks>' argument missing \(it took the option '--port' as its value\)/,
    ],
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
    [
      'help for an unknown command, with the suggestion for a typo',
      ['help', 'asess'],
      /^trd: unknown command 'asess'; did you mean assess\? \(see trd --help\)\n$/,
    ],
    [
      "a typo in a command: commander's suggestion is kept",
      ['asess', SEED],
      /^trd: unknown command 'asess'; did you mean assess\? \(see trd --help\)\n$/,
    ],
    [
      "a typo in an option: commander's suggestion is kept",
      ['assess', SEED, '--jsn'],
      /^trd: unknown option '--jsn'; did you mean --json\? \(see trd assess --help\)\n$/,
    ],
    [
      'a typo in a subcommand',
      ['design', 'ttset'],
      /^trd: unknown command 'ttset'; did you mean ttest\? \(see trd design --help\)\n$/,
    ],
    [
      'help for an unknown subcommand (it said "trial: a command is required")',
      ['trial', 'help', 'inti'],
      /^trd: unknown command 'inti'; did you mean init\? \(see trd trial --help\)\n$/,
    ],
    ['help for a name unlike any command', ['help', 'zzzzzz'], /^trd: unknown command 'zzzzzz' \(see trd --help\)\n$/],
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
      // commander's help takes one name: this showed the help of `trd trial`.
      [['help', 'trial', 'init'], 'Usage: trd trial init [options]'],
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
      /not a readable CSV: a quoted field is not closed \(CSV_QUOTE_NOT_CLOSED at line 2\)/,
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
    [
      'analyze --report - (it wrote a file named "-")',
      () => [...report, '--report', '-'],
      /--report names a file, not standard output: give a file name, not -\n$/,
    ],
    [
      'screen --out - (it wrote "-" and "-.meta.json" in the working folder)',
      () => {
        const source = join(dir, 'export');
        mkdirSync(source, { recursive: true });
        writeFileSync(join(source, 'Patient.ndjson'), '{"resourceType":"Patient","id":"p1"}\n');
        return ['screen', source, '--as-of', '2026-01-01', '--out', '-', '--quiet'];
      },
      /--out names a file, not standard output/,
    ],
    [
      'synth --out - (a folder named "-")',
      () => ['synth', '--patients', '3', '--out', '-'],
      /--out names a file, not standard output/,
    ],
    [
      'an empty Bundle file (it said "not valid JSON: unexpected end of input")',
      () => ['assess', file('empty.json', '')],
      /^trd: .*empty\.json is empty\n$/,
    ],
    [
      'an empty CSV (it said "unknown column ... the header has 0 columns")',
      () => ['analyze', file('empty.csv', ''), ...madrsOptions],
      /^trd: .*empty\.csv is empty\n$/,
    ],
    [
      'a CSV in Latin-1 (its arm labels would have read as U+FFFD)',
      () => {
        const latin1 = readFileSync(madrs, 'utf8').replace(/PLACEBO/g, 'PLAC\u00c9BO');
        const path = join(dir, 'latin1.csv');
        writeFileSync(path, Buffer.from(latin1, 'latin1'));
        return ['analyze', path, ...madrsOptions];
      },
      /latin1\.csv is not UTF-8 text \(save it as UTF-8\)\n$/,
    ],
    [
      'a Bundle in UTF-16 (a Windows editor)',
      () => {
        const path = join(dir, 'utf16.json');
        writeFileSync(path, Buffer.from(`\ufeff${readFileSync(SEED, 'utf8')}`, 'utf16le'));
        return ['assess', path];
      },
      /utf16\.json is not UTF-8 text/,
    ],
  ];
  for (const [name, args, reason] of cases) {
    test(name, async () => assertOneLine(await trd(args()), reason, name));
  }
  test('an output option given - leaves no file named "-" behind', () => {
    assert.ok(!existsSync('-') && !existsSync('-.meta.json'), 'a file named "-" in the working folder');
  });
  test('a negative number is still a value (one dash)', async () => {
    const r = await trd([
      'design',
      'enrichment',
      '--simulate',
      '--beta0',
      '3',
      '--beta1',
      '-1',
      '--sd',
      '8',
      '--n-per-arm',
      '50',
      '--trials',
      '50',
    ]);
    assert.equal(r.code, 0, r.stderr);
  });
  test('a byte order mark at the start of a file or of standard input is dropped, as the service drops it', async () => {
    const bom = `\ufeff${readFileSync(SEED, 'utf8')}`;
    const plain = await trd(['assess', SEED, '--json', '--as-of', '2026-01-01']);
    const fromFile = await trd(['assess', file('bom.json', bom), '--json', '--as-of', '2026-01-01']);
    const fromStdin = await trd(['assess', '-', '--json', '--as-of', '2026-01-01'], bom);
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual([fromFile.code, fromFile.stderr, fromFile.stdout], [0, '', plain.stdout]);
    assert.deepEqual([fromStdin.code, fromStdin.stderr, fromStdin.stdout], [0, '', plain.stdout]);
    const pathway = readFileSync(join(REPO_ROOT, 'knowledge', 'pathway', 'care-pathway.json'), 'utf8');
    const withPathway = await trd([
      'assess',
      SEED,
      '--json',
      '--as-of',
      '2026-01-01',
      '--pathway',
      file('p.json', `\ufeff${pathway}`),
    ]);
    assert.deepEqual([withPathway.code, withPathway.stderr], [0, '']);
  });
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
      /--trial-db: cannot write \/proc\/trd-x/,
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
      [['trial', 'verify-audit', '--db', empty], /--trial-db: .*empty\.db is not a SQLite database/],
      [['trial', 'consort', '--db', other], /--trial-db: .*other\.db is not a SQLite database/],
      [['trial', 'backup', '--db', other, '--to', join(dir, 'b.db')], /is not a SQLite database/],
      [['trial', 'restore', '--from', other, '--db', join(dir, 'r.db')], /--from: .* is not a SQLite database/],
    ];
    runs.push([['serve', '--port', '0', '--trial-db', other], /the database file is not a SQLite database/]);
    for (const [args, reason] of runs) assertOneLine(await trd(args), reason, args.slice(0, 2).join(' '));
    assert.ok(!existsSync(missing), 'no database was made');
    assert.equal(readFileSync(empty, 'utf8'), '', 'the empty file is unchanged');
  });
});

test('serve on a port in use, or on an address of no interface, says so in words (it said EADDRINUSE)', async () => {
  const taken = createServer();
  await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
  try {
    const port = String((taken.address() as AddressInfo).port);
    const data = join(dir, 'serve-data');
    assertOneLine(
      await trdProcess(['serve', '--port', port, '--data-dir', data]),
      /^trd: listen failed: the address is in use \(another process listens on that port; choose another --port\)\n$/,
      'port in use',
    );
    assertOneLine(
      await trdProcess(['serve', '--port', '0', '--host', '192.0.2.1', '--data-dir', data]),
      /^trd: listen failed: no interface of this machine has that address \(--host\)\n$/,
      'address of no interface',
    );
  } finally {
    taken.close();
  }
});

test('a reader of standard output that goes away (| head -1) ends the run quietly, exit 0', async () => {
  const table = ['trial', 'allocation-table', '--arms', 'a:1,b:1', '--block-sizes', '2,4', '--seed', '1'];
  const child = spawn(
    process.execPath,
    [...trdCommand(), ...table, '--strata', 'crp=high,low', '--per-stratum', '50000'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  assert.deepEqual([code, stderr], [0, '']);
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
