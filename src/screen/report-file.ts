/**
 * Reads a finished screen output line by line into the summary (bounded memory) and writes the HTML report through
 * a temporary file, so that a report never looks complete before it is.
 */
import { createReadStream, renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createEngine } from '../engine/index.ts';
import { InputError } from '../record/index.ts';
import type { ScreenLine } from './result-line.ts';
import { renderScreenReport, type ReportContext } from './report-html.ts';
import type { ScreenMeta } from './run.ts';
import { codeTitlesOf, SummaryBuilder, type ScreenSummary } from './summary.ts';

const SOURCE_LABEL: Record<ScreenMeta['kind'], string> = {
  ndjson: 'FHIR Bulk Data NDJSON',
  'omop-duckdb': 'OMOP CDM (DuckDB)',
  'omop-postgres': 'PostgreSQL (OMOP CDM)',
};

/**
 * What the report says about the run, from its `.meta.json` alone (a merged output's too): the source (and the
 * shard, whose report counts only its own patients), the date, the pathway and the CRP cut-off it was screened with,
 * never the bundled pathway's when a `--pathway` file was used. An output of an earlier version, whose meta does not record the cut-off, takes the bundled pathway's only when it
 * was screened with it; with a `--pathway` file it is refused rather than reported at a cut-off it was not run at.
 */
export function reportContextOf(meta: ScreenMeta): ReportContext {
  const merged = /^merged (\d+)$/.exec(meta.identity.shard);
  const shard = /^(\d+)\/(\d+)$/.exec(meta.identity.shard);
  const part =
    merged !== null
      ? `, ${merged[1]} ${merged[1] === '1' ? 'shard' : 'shards'} merged`
      : shard !== null && shard[2] !== '1'
        ? `, shard ${shard[1]} of ${shard[2]} only (trd screen-merge joins the shards)`
        : '';
  // A meta of an early version has no kind: its source was an NDJSON folder, as merge.ts reads it.
  const source = `${SOURCE_LABEL[meta.kind ?? 'ndjson']}${part}`;
  let cutOff = meta.pathwayCutOff;
  let requiredTrials = meta.requiredTrials;
  if (cutOff === undefined || requiredTrials === undefined) {
    if (meta.identity.engine.includes(' pathway sha256:')) {
      throw new InputError(
        'the screen used a --pathway file and its .meta.json (written by an earlier trd) does not record the CRP cut-off: screen again to report it',
        'screen.report.cut-off',
      );
    }
    const d = createEngine().knowledge.pathway.definitions;
    cutOff = { mgPerL: d.inflammation.cutOff.value, verified: d.inflammation.cutOff.verified };
    requiredTrials = { value: d.adequacy.requiredTrials.value, verified: d.adequacy.requiredTrials.verified };
  }
  // An earlier output records no titles: the bundled pathway's serve only when it is the pathway screened with.
  let titles = meta.titles;
  if (titles === undefined) {
    const bundled = createEngine().knowledge.pathway;
    const p = meta.identity.pathway;
    if (!meta.identity.engine.includes(' pathway sha256:') && p.id === bundled.id && p.version === bundled.version) {
      titles = codeTitlesOf(bundled);
    }
  }
  return {
    asOf: meta.identity.asOf,
    pathway: meta.identity.pathway,
    source,
    defaultCutOffMgPerL: cutOff.mgPerL,
    defaultCutOffVerified: cutOff.verified,
    requiredTrials,
    ...(titles === undefined ? {} : { titles }),
  };
}

export async function summarize(out: string, meta: ScreenMeta, defaultCutOff: number): Promise<ScreenSummary> {
  const builder = new SummaryBuilder(defaultCutOff);
  const lines = createInterface({ input: createReadStream(out), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') builder.add(JSON.parse(line) as ScreenLine);
  return builder.build(meta.quality, meta.identity.cutOffs);
}

export async function writeReport(out: string, meta: ScreenMeta, report: string): Promise<ScreenSummary> {
  const context = reportContextOf(meta);
  const summary = await summarize(out, meta, context.defaultCutOffMgPerL);
  writeFileSync(`${report}.partial`, await renderScreenReport(summary, context));
  renameSync(`${report}.partial`, report);
  return summary;
}
