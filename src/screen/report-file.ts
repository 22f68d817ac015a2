/**
 * Reads a finished screen output line by line into the summary (bounded memory) and writes the HTML report through
 * a temporary file, so that a report never looks complete before it is.
 */
import { createReadStream, renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ScreenLine } from './result-line.ts';
import { renderScreenReport, type ReportContext } from './report-html.ts';
import type { ScreenMeta } from './run.ts';
import { SummaryBuilder, type ScreenSummary } from './summary.ts';

export async function summarize(out: string, meta: ScreenMeta, defaultCutOff: number): Promise<ScreenSummary> {
  const builder = new SummaryBuilder(defaultCutOff);
  const lines = createInterface({ input: createReadStream(out), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') builder.add(JSON.parse(line) as ScreenLine);
  return builder.build(meta.quality, meta.identity.cutOffs);
}

export async function writeReport(
  out: string,
  meta: ScreenMeta,
  report: string,
  context: ReportContext,
): Promise<ScreenSummary> {
  const summary = await summarize(out, meta, context.defaultCutOffMgPerL);
  writeFileSync(`${report}.partial`, await renderScreenReport(summary, context));
  renameSync(`${report}.partial`, report);
  return summary;
}
