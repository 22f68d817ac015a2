/**
 * `trd analyze`: statistics of a two-arm trial from a long-format CSV (ANCOVA, MMRM, responders, Hedges g, biomarker
 * interaction), or of published counts with `--counts`. Reads the file, hands validated data to src/analysis, writes
 * text, JSON or an HTML report. Input problems are one-line messages on stderr and exit code 2.
 */
import { parse } from 'csv-parse/sync';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { analyzeTrial, type AnalysisOptions } from '../../analysis/analyze.ts';
import { analyzeCounts } from '../../analysis/counts.ts';
import { buildDataset, type TrialDataset } from '../../analysis/dataset.ts';
import type { BiomarkerPoint } from '../../analysis/plots.ts';
import { analysisSummary, countsSummary } from '../../analysis/text-summary.ts';
import type { Issue } from '../../record/index.ts';
import { fitMmrmTrial } from '../../stats/mmrm/index.ts';

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
}

/** Input errors end here: printed one per line, exit code 2 (usage/data error, as commander uses for bad options). */
class InputError extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues.map((i) => i.message).join('\n'));
  }
}

const inputError = (message: string): InputError =>
  new InputError([{ code: 'analysis.cli', severity: 'error', message }]);

function numberFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw inputError(`${name}: "${raw}" is not a number`);
  return v;
}

function required(flags: AnalyzeFlags, keys: (keyof AnalyzeFlags)[]): void {
  const missing = keys
    .filter((k) => flags[k] === undefined)
    .map((k) => `--${String(k).replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`);
  if (missing.length > 0) throw inputError(`missing required option(s): ${missing.join(', ')}`);
}

/** Non-finite numbers are not JSON: infinite NNT bounds become "Infinity" (as the R reference writer does), NaN null. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : v > 0 ? 'Infinity' : '-Infinity') : v,
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
  if (!res.ok) throw new InputError(res.issues);
  process.stdout.write(flags.json ? `${toJson(res.value)}\n` : countsSummary(res.value));
}

function readCsv(file: string): { header: string[]; records: Record<string, string>[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw inputError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let header: string[] = [];
  try {
    const records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      columns: (h: string[]) => {
        header = h.map((s) => s.trim());
        return header;
      },
    }) as Record<string, string>[];
    return { header, records };
  } catch (err) {
    throw inputError(`${file}: not a readable CSV (${err instanceof Error ? err.message : String(err)})`);
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
  const effectsAt = flags.effectsAt.split(',').map((s) => numberFlag('--effects-at', s)!);
  if (effectsAt.some((v) => !(v > 0))) throw inputError('--effects-at values must be > 0');

  const { header, records } = readCsv(file);
  const ds = buildDataset(header, records, {
    columns: {
      subject: flags.subject!,
      arm: flags.arm!,
      visit: flags.visit!,
      outcome: flags.outcome!,
      baseline: flags.baseline!,
      ...(flags.biomarker === undefined ? {} : { biomarker: flags.biomarker }),
    },
    treatment: flags.treatment!,
    control: flags.control!,
    primaryVisit: flags.primaryVisit!,
    outcomeType: flags.outcomeType,
  });
  if (!ds.ok) throw new InputError(ds.issues);
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
    writeFileSync(flags.report, await renderHtmlReport(withDataIssues, analysedBiomarkers(ds.value)));
  }
  process.stdout.write(flags.json ? `${toJson(withDataIssues)}\n` : analysisSummary(withDataIssues));
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
    .argument('[file]', 'long-format CSV: one row per subject and post-baseline visit')
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
    .option('--biomarker <col>', 'baseline biomarker column, e.g. hs-CRP in mg/L (positive)')
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
    .action(async (file: string | undefined, flags: AnalyzeFlags) => {
      try {
        if (flags.counts) runCounts(flags);
        else await runFile(file, flags);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        for (const i of err.issues) process.stderr.write(`trd analyze: ${i.message}\n`);
        process.exitCode = 2;
      }
    });
}
