/**
 * `trd analyze`: statistics of a two-arm trial from a long-format CSV (ANCOVA, MMRM, responders, Hedges g, biomarker
 * interaction), or of published counts with `--counts`. Reads the file, hands validated data to src/analysis, writes
 * text, JSON or an HTML report. Input problems are one-line messages on stderr and exit code 2.
 */
import { parse } from 'csv-parse/sync';
import type { Command } from 'commander';
import { analyzeTrial, type AnalysisOptions } from '../../analysis/analyze.ts';
import { analyzeCounts } from '../../analysis/counts.ts';
import { buildDataset, separatorIssue, type TrialDataset } from '../../analysis/dataset.ts';
import type { BiomarkerPoint } from '../../analysis/plots.ts';
import { analysisSummary, countsSummary } from '../../analysis/text-summary.ts';
import { InputError, type Issue } from '../../record/index.ts';
import { CRP_CONVERSION_COLUMN } from '../../trial/exports/analysis-csv.ts';
import { fitMmrmTrial } from '../../stats/mmrm/index.ts';
import { checkOutputFile, maxBytesOption, readInputText, writeOutputFile } from '../input.ts';
import { optionName, out } from '../io.ts';

interface AnalyzeFlags {
  subject?: string;
  arm?: string;
  treatment?: string;
  control?: string;
  visit?: string;
  outcome?: string;
  outcomeType: string;
  baseline?: string;
  biomarker?: string;
  biomarkerCut?: string;
  primaryVisit?: string;
  responseReduction: string;
  remissionMax?: string;
  effectsAt: string;
  json?: boolean;
  report?: string;
  counts?: boolean;
  treatmentEvents?: string;
  treatmentN?: string;
  controlEvents?: string;
  controlN?: string;
  label: string;
  adverse?: boolean;
  maxBytes?: string;
}

/** The first error as the one line the boundary prints, with the count of the others. */
function issuesError(issues: readonly Issue[]): InputError {
  const errors = issues.filter((i) => i.severity === 'error');
  const first = errors[0] ?? issues[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  return new InputError(`analyze: ${first?.message ?? 'invalid input'}${more}`, first?.code ?? 'analysis.invalid');
}

const inputError = (message: string): InputError => new InputError(`analyze: ${message}`, 'analysis.cli');

function numberFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw inputError(`${name}: "${raw}" is not a number`);
  return v;
}

function required(flags: AnalyzeFlags, keys: (keyof AnalyzeFlags)[]): void {
  const missing = keys.filter((k) => flags[k] === undefined).map((k) => optionName(String(k)));
  if (missing.length > 0) throw inputError(`missing required option(s): ${missing.join(', ')}`);
}

/**
 * Non-finite numbers are not JSON: an infinite value (an NNT of a risk difference 0, a ratio with a zero cell, its CI
 * limit) becomes the string "Infinity" or "-Infinity" and an undefined one (a zero cell's log-scale CI limit, Inf - Inf)
 * "NaN", as the R reference writer does, so that null keeps meaning only "no value" (a mean of no observations).
 */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v,
    2,
  );
}

function runCounts(flags: AnalyzeFlags): void {
  required(flags, ['treatmentEvents', 'treatmentN', 'controlEvents', 'controlN']);
  const res = analyzeCounts({
    label: flags.label,
    treatmentEvents: numberFlag('--treatment-events', flags.treatmentEvents)!,
    treatmentN: numberFlag('--treatment-n', flags.treatmentN)!,
    controlEvents: numberFlag('--control-events', flags.controlEvents)!,
    controlN: numberFlag('--control-n', flags.controlN)!,
    eventIsBeneficial: flags.adverse !== true,
    level: 0.95,
  });
  if (!res.ok) throw issuesError(res.issues);
  out(flags.json ? `${toJson(res.value)}\n` : countsSummary(res.value));
}

/** What csv-parse's error codes mean, in the user's words (its own messages can quote the field). */
const CSV_PROBLEMS: Readonly<Record<string, string>> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'a row has another number of fields than the header',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed',
  CSV_INVALID_CLOSING_QUOTE: 'text follows the closing quote of a field',
  INVALID_OPENING_QUOTE: 'a quote inside a field that does not start with one',
};

/**
 * csv-parse's messages can quote the offending field; only its error code and line are kept. Each record's file line
 * is kept for the messages: empty lines are skipped, so the record index alone would name the wrong line.
 */
function readCsv(
  file: string,
  maxBytes: number,
): { header: string[]; records: Record<string, string>[]; lines: number[] } {
  const name = file === '-' ? 'stdin' : file;
  const text = readInputText(file, maxBytes);
  // A UTF-16 file (what "Unicode text" exports and some Windows tools write) read as UTF-8 has a NUL beside every ASCII
  // character: every column would be unknown or every row unreadable, so its encoding is the reason given.
  if (text.includes('\u0000')) {
    throw inputError(
      `${name}: not a readable CSV: the file holds NUL characters (UTF-16 encoded?); save it as CSV in UTF-8 (CSV_ENCODING)`,
    );
  }
  try {
    // With info: true csv-parse returns { record, info } per row; its sync typing does not say so.
    // Line breaks are made '\n' first: csv-parse counts a CRLF inside a quoted field as two lines. Spaces around a
    // field are dropped (every cell is read trimmed), so an export that writes `, "DRUG" ,` is read, not refused for
    // a quote that does not open its field; spaces inside the quotes are the field's.
    const rows = parse(text.replace(/\r\n?/g, '\n'), {
      bom: true,
      skip_empty_lines: true,
      info: true,
      trim: true,
    }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
    const header = (rows[0]?.record ?? []).map((s) => s.trim());
    // Rows keyed by column name in prototype-free objects: a column named __proto__ or constructor is just a column.
    const records = rows.slice(1).map(({ record: row }) => {
      const record = Object.create(null) as Record<string, string>;
      header.forEach((column, k) => (record[column] = row[k] ?? ''));
      return record;
    });
    // info.lines is the line the record ends on; a quoted field may span lines, so step back over its line breaks.
    const lines = rows
      .slice(1)
      .map(({ record, info }) => info.lines - record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0));
    return { header, records, lines };
  } catch (err) {
    // A file separated by semicolons (or tabs) with decimal commas does not parse as CSV at all: its header is one
    // field and "6,88" splits a row in two. Its reason is the separator, not the parser's code.
    const first =
      text
        .replace(/^\uFEFF/, '')
        .split(/\r?\n|\r/)
        .find((line) => line.trim() !== '') ?? '';
    const separator = first.includes(',') ? undefined : separatorIssue([first.trim()]);
    if (separator !== undefined) throw issuesError([separator]);
    const e = err as { code?: unknown; lines?: unknown };
    const where = typeof e.lines === 'number' ? ` at line ${e.lines}` : '';
    const code = typeof e.code === 'string' ? e.code : 'CSV_INVALID';
    const what = CSV_PROBLEMS[code];
    throw inputError(`${name}: not a readable CSV${what === undefined ? '' : `: ${what}`} (${code}${where})`);
  }
}

async function runFile(file: string | undefined, flags: AnalyzeFlags): Promise<void> {
  if (file === undefined) throw inputError('a CSV file is required (or use --counts)');
  required(flags, ['subject', 'arm', 'treatment', 'control', 'visit', 'outcome', 'baseline', 'primaryVisit']);
  if (flags.outcomeType !== 'score' && flags.outcomeType !== 'change') {
    throw inputError(`--outcome-type: "${flags.outcomeType}" must be score or change`);
  }
  if ((flags.biomarker === undefined) !== (flags.biomarkerCut === undefined)) {
    throw inputError('--biomarker and --biomarker-cut go together');
  }
  const biomarkerCut = numberFlag('--biomarker-cut', flags.biomarkerCut);
  if (biomarkerCut !== undefined && !(biomarkerCut > 0)) throw inputError('--biomarker-cut must be > 0');
  const responseReduction = numberFlag('--response-reduction', flags.responseReduction)!;
  if (!(responseReduction > 0 && responseReduction <= 1))
    throw inputError('--response-reduction must be in (0, 1], e.g. 0.5');
  const remissionMax = numberFlag('--remission-max', flags.remissionMax);
  if (remissionMax !== undefined && !(remissionMax >= 0)) throw inputError('--remission-max must be >= 0');
  const effectsAt = flags.effectsAt.split(',').map((s) => numberFlag('--effects-at', s)!);
  if (effectsAt.some((v) => !(v > 0))) throw inputError('--effects-at values must be > 0');

  if (flags.report !== undefined) checkOutputFile('--report', flags.report, [file]);
  const { header, records, lines } = readCsv(file, maxBytesOption(flags.maxBytes));
  const ds = buildDataset(
    header,
    records,
    {
      columns: {
        subject: flags.subject!,
        arm: flags.arm!,
        visit: flags.visit!,
        outcome: flags.outcome!,
        baseline: flags.baseline!,
        ...(flags.biomarker === undefined ? {} : { biomarker: flags.biomarker }),
        // The trial export says beside each baseline CRP whether it was converted from nmol/L, and with what factor.
        ...(flags.biomarker !== undefined && header.includes(CRP_CONVERSION_COLUMN)
          ? { biomarkerConversion: CRP_CONVERSION_COLUMN }
          : {}),
      },
      treatment: flags.treatment!,
      control: flags.control!,
      primaryVisit: flags.primaryVisit!,
      outcomeType: flags.outcomeType,
    },
    lines,
  );
  if (!ds.ok) throw issuesError(ds.issues);
  const options: AnalysisOptions = {
    responseReduction,
    effectsAt,
    level: 0.95,
    ...(biomarkerCut === undefined ? {} : { biomarkerCut }),
    ...(remissionMax === undefined ? {} : { remissionMax }),
  };
  const report = analyzeTrial(ds.value, options, file, fitMmrmTrial);
  const withDataIssues = { ...report, issues: [...ds.issues, ...report.issues] };
  if (flags.report !== undefined) {
    // Loaded on demand: vega costs about a second to import, and every other `trd` command would pay for it.
    const { renderHtmlReport } = await import('../../analysis/report-html.ts');
    const html = await renderHtmlReport(withDataIssues, analysedBiomarkers(ds.value));
    writeOutputFile('--report', flags.report, html, [file]);
  }
  out(flags.json ? `${toJson(withDataIssues)}\n` : analysisSummary(withDataIssues));
}

/** The options only a CSV analysis uses, and those only --counts uses. */
const CSV_ONLY: readonly (keyof AnalyzeFlags)[] = [
  'subject',
  'arm',
  'treatment',
  'control',
  'visit',
  'outcome',
  'outcomeType',
  'baseline',
  'biomarker',
  'biomarkerCut',
  'primaryVisit',
  'responseReduction',
  'remissionMax',
  'effectsAt',
  'report',
  'maxBytes',
];
const COUNTS_ONLY: readonly (keyof AnalyzeFlags)[] = [
  'treatmentEvents',
  'treatmentN',
  'controlEvents',
  'controlN',
  'label',
  'adverse',
];

/**
 * An option (or a file) the chosen analysis does not use is refused rather than ignored: `--counts` with a CSV, or a
 * --report it would never write, and counts options beside a CSV, would otherwise print a result that is not the one
 * asked for.
 */
function checkMode(file: string | undefined, flags: AnalyzeFlags, given: (key: string) => boolean): void {
  if (flags.counts === true) {
    if (file !== undefined) throw inputError('--counts analyses the counts given as options; it reads no file');
    const unused = CSV_ONLY.find(given);
    if (unused !== undefined) throw inputError(`${optionName(unused)} is for a CSV analysis; --counts does not use it`);
    if (flags.label.trim() === '') throw inputError('--label must name the outcome');
  } else {
    const unused = COUNTS_ONLY.find(given);
    if (unused !== undefined)
      throw inputError(`${optionName(unused)} goes with --counts; a CSV analysis does not use it`);
  }
}

/** Baseline biomarker of the subjects analysed at the primary visit (the interaction plot's rug). */
function analysedBiomarkers(ds: TrialDataset): BiomarkerPoint[] {
  return ds.rows
    .filter((r) => r.visit === ds.primaryVisit && r.change !== null && r.biomarker !== null)
    .map((r) => ({ arm: r.arm, biomarker: r.biomarker as number }));
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description(
      'Analyse a two-arm trial from a long CSV (one row per subject and visit), or published counts with --counts',
    )
    .argument('[file]', 'long-format CSV: one row per subject and post-baseline visit, or - for stdin')
    .option('--subject <col>', 'subject identifier column')
    .option('--arm <col>', 'treatment arm column')
    .option('--treatment <label>', 'label of the treatment arm in --arm')
    .option('--control <label>', 'label of the control arm in --arm (the reference level)')
    .option('--visit <col>', 'visit column (ordered numerically when all values are numbers)')
    .option('--outcome <col>', 'outcome column (empty cell = missing)')
    .option(
      '--outcome-type <type>',
      'score: the outcome is the post-baseline score; change: it is already post - baseline',
      'score',
    )
    .option('--baseline <col>', 'baseline score column')
    .option(
      '--biomarker <col>',
      `baseline biomarker column, e.g. hs-CRP in mg/L (positive); a ${CRP_CONVERSION_COLUMN} column (trd trial export) is read with it`,
    )
    .option('--biomarker-cut <x>', 'stratum cut (biomarker >= cut) and centre of the log-biomarker interaction')
    .option('--primary-visit <v>', 'visit label of the primary endpoint')
    .option('--response-reduction <fraction>', 'response = reduction from baseline of at least this fraction', '0.5')
    .option('--remission-max <score>', 'remission = post score <= this value (e.g. MADRS 10, HAMD17 7)')
    .option('--effects-at <list>', 'biomarker values at which to report the treatment effect', '1,3,10')
    .option('--json', 'print the analysis as JSON (schema precision-trd/analysis@1)')
    .option('--report <file.html>', 'also write a self-contained HTML report with plots')
    .option('--counts', 'analyse published counts instead of a CSV')
    .option('--treatment-events <n>', 'with --counts: events in the treatment arm')
    .option('--treatment-n <n>', 'with --counts: subjects in the treatment arm')
    .option('--control-events <n>', 'with --counts: events in the control arm')
    .option('--control-n <n>', 'with --counts: subjects in the control arm')
    .option('--label <text>', 'with --counts: name of the outcome', 'outcome')
    .option(
      '--adverse',
      'with --counts: the event is harmful (an adverse event), so a higher rate on treatment is harm',
    )
    .option('--max-bytes <n>', 'refuse input larger than this many bytes (default 100000000)')
    .action(async (file: string | undefined, flags: AnalyzeFlags, command: Command) => {
      checkMode(file, flags, (key) => command.getOptionValueSource(key) === 'cli');
      if (flags.counts) runCounts(flags);
      else await runFile(file, flags);
    });
}
