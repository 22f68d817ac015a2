/**
 * `trd trial <subcommand>`: trial operations from the command line.
 *   allocation-table  print a stratified permuted-block allocation table (CSV, or REDCap's allocation upload)
 *   init              create the trial database from a protocol and a randomization plan
 *   verify-audit      recompute the audit hash chain and report any tampering
 *   backup / restore  online SQLite backup, verified by reading it back
 *   export            analysis CSV (for trd analyze), SDTM-style domains, FHIR ResearchStudy/ResearchSubject
 *   consort           the CONSORT flow counts
 * Bad input exits 2 with one line `trd: <reason>`; a failed audit verification or backup check exits 1.
 * The command line acts as the local operator: writes are audited as user `cli:<login name>`.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { loadKnowledge } from '../../knowledge/load.ts';
import { loadInstruments } from '../../instruments/load.ts';
import {
  allocationTable,
  RandomizationPlanSchema,
  type Arm,
  type Factor,
  type PermutedBlocksPlan,
  type RandomizationPlan,
} from '../../randomization/index.ts';
import { blindSnapshot } from '../../trial/blinding.ts';
import { consortFlow } from '../../trial/consort.ts';
import {
  analysisCsv,
  dmDemographicsNotes,
  fhirResearchBundle,
  sdtmUnitNotes,
  sdtmDefine,
  sdtmDomains,
  SDTM_DOMAINS,
} from '../../trial/exports/index.ts';
import { generateKits } from '../../trial/kits.ts';
import type { TrialRole } from '../../trial/roles.ts';
import { planFromProtocol } from '../../trial/strata.ts';
import { openTrialStore, parseLocation } from '../../trial/store/open.ts';
import type { SqlTrialStore } from '../../trial/store/sql-store.ts';
import { loadTrials } from '../../trials/load.ts';
import { isTimeZone } from '../../trial/visits.ts';
import { CountryCodeSchema } from '../../trial/model.ts';
import { checkExistingSqliteStore, checkOutputFile, InputError, makeOutputFolder } from '../input.ts';
import { CheckFailed, cliIo, out } from '../io.ts';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `tocilizumab:1,placebo:1` */
export function parseArms(text: string): Arm[] {
  const arms = text.split(',').map((part) => {
    const [id, ratio, extra] = part.trim().split(':');
    const r = Number(ratio ?? '1');
    if (id === undefined || !KEY.test(id) || extra !== undefined || !Number.isInteger(r) || r < 1 || r > 20) {
      throw new InputError('--arms: expected arm:ratio pairs such as tocilizumab:1,placebo:1 (ratios 1-20)');
    }
    return { id, ratio: r };
  });
  if (arms.length < 2) throw new InputError('--arms: give at least two arms');
  return arms;
}

/** `crp=high,low` (repeatable). */
export function parseStrata(values: readonly string[]): Factor[] {
  return values.map((v) => {
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(.+)$/.exec(v.trim());
    const levels = m?.[2]?.split(',').map((l) => l.trim()) ?? [];
    if (m === null || levels.length < 1 || levels.some((l) => !KEY.test(l))) {
      throw new InputError('--strata: expected factor=level,level such as crp=high,low');
    }
    return { id: m[1] as string, levels, weight: 1 };
  });
}

export function parseIntList(option: string, text: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new InputError(`${option}: expected positive whole numbers separated by commas`);
  }
  return values;
}

function parseInteger(option: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(v) || v < min || v > max) {
    throw new InputError(`${option}: expected a whole number from ${min} to ${max}`);
  }
  return v;
}

/** The option each plan field comes from, to name it in a refusal (`--p-best: Too small: ...`). */
const PLAN_OPTIONS: Readonly<Record<string, string>> = {
  arms: '--arms',
  factors: '--strata',
  seed: '--seed',
  blockSizes: '--block-sizes',
  perStratum: '--per-stratum',
  pBest: '--p-best',
};

/** Zod issues of a plan as one line, each naming the option it came from (`options` overrides PLAN_OPTIONS). */
function planOrFail(candidate: unknown, options: Readonly<Record<string, string>> = {}): RandomizationPlan {
  const parsed = RandomizationPlanSchema.safeParse(candidate);
  if (!parsed.success) {
    const named = { ...PLAN_OPTIONS, ...options };
    throw new InputError(
      parsed.error.issues
        .map((i) => {
          const option = named[String(i.path[0])];
          return option === undefined ? i.message : `${option}: ${i.message}`;
        })
        .join('; '),
    );
  }
  return parsed.data;
}

interface TableOptions {
  arms: string;
  strata?: string[];
  blockSizes: string;
  perStratum: string;
  seed: string;
  format: string;
  redcapField: string;
  redcapDag?: string;
}

/**
 * REDCap's allocation upload: one column named after the randomization field (the arm's code: its position in
 * --arms, 1, 2, ...), one per stratification field (the level's position, 1, 2, ...), and for the factor named by
 * --redcap-dag the column `redcap_data_access_group` holding the level itself, which must be REDCap's numeric DAG id.
 */
function redcapCsv(plan: PermutedBlocksPlan, field: string, dag: string | undefined): string {
  const dagFactor = dag === undefined ? undefined : plan.factors.find((f) => f.id === dag);
  if (dag !== undefined && dagFactor === undefined)
    throw new InputError(`--redcap-dag: no stratification factor ${dag}`);
  if (dagFactor !== undefined && dagFactor.levels.some((l) => !/^\d+$/.test(l))) {
    throw new InputError('--redcap-dag: the levels of that factor must be REDCap data access group ids (numbers)');
  }
  const header = [field, ...plan.factors.map((f) => (f === dagFactor ? 'redcap_data_access_group' : f.id))];
  const rows = allocationTable(plan).map((row) => {
    const levels = Object.fromEntries(row.stratum.split('|').map((kv) => kv.split('=') as [string, string]));
    return [
      plan.arms.findIndex((a) => a.id === row.arm) + 1,
      ...plan.factors.map((f) => (f === dagFactor ? (levels[f.id] ?? '') : f.levels.indexOf(levels[f.id] ?? '') + 1)),
    ];
  });
  const key = [
    `arms: ${plan.arms.map((a, i) => `${i + 1}=${a.id}`).join(', ')}`,
    ...plan.factors
      .filter((f) => f !== dagFactor)
      .map((f) => `${f.id}: ${f.levels.map((l, i) => `${i + 1}=${l}`).join(', ')}`),
  ];
  cliIo().err(`REDCap codes (set the same choices in the project): ${key.join('; ')}\n`);
  return stringify([header, ...rows]);
}

export function runAllocationTable(options: TableOptions): void {
  const seed = parseInteger('--seed', options.seed, 0, 0x7fffffff);
  const plan = planOrFail({
    method: 'permuted-blocks',
    arms: parseArms(options.arms),
    factors: parseStrata(options.strata ?? []),
    blockSizes: parseIntList('--block-sizes', options.blockSizes),
    perStratum: parseInteger('--per-stratum', options.perStratum, 1, 100000),
    seed,
  }) as PermutedBlocksPlan;
  if (options.format === 'csv') {
    const rows = allocationTable(plan).map((r) => [r.stratum, r.sequence, r.block, r.blockSize, r.arm]);
    out(stringify([['stratum', 'sequence', 'block', 'block_size', 'arm'], ...rows]));
  } else if (options.format === 'redcap') {
    if (!KEY.test(options.redcapField)) throw new InputError('--redcap-field: expected a REDCap variable name');
    out(redcapCsv(plan, options.redcapField, options.redcapDag));
  } else {
    throw new InputError('--format: expected csv or redcap');
  }
}

const operator = (role: TrialRole, reason: string) => ({
  actor: { userId: `cli:${userInfo().username}`, role, site: null },
  reason,
});

async function withStore<T>(db: string, fn: (store: SqlTrialStore) => Promise<T>): Promise<T> {
  const where = parseLocation(db);
  if (where.kind === 'sqlite') checkExistingSqliteStore('--trial-db', where.path);
  const store = await openTrialStore(db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

interface InitOptions {
  db: string;
  protocol: string;
  sites?: string;
  siteTimeZones?: string;
  siteCountries?: string;
  method: string;
  blockSizes?: string;
  perStratum: string;
  pBest: string;
  seed: string;
  kitsPerArm?: string;
  kitSeed?: string;
}

export async function runInit(options: InitOptions): Promise<void> {
  const { protocols } = loadTrials(loadKnowledge());
  const protocol = protocols.find((p) => p.id === options.protocol.trim().toLowerCase());
  if (protocol === undefined)
    throw new InputError(`--protocol: unknown protocol (known: ${protocols.map((p) => p.id).join(', ')})`);
  if (protocol.arms === undefined)
    throw new InputError('--protocol: this protocol has no arms block: it can be matched, not run');
  const sites = options.sites?.split(',').map((s) => s.trim());
  if (sites !== undefined && sites.some((s) => !/^[a-z0-9A-Z][A-Za-z0-9._-]*$/.test(s)))
    throw new InputError('--sites: expected site codes separated by commas');
  // SITE=ZONE pairs, each zone an IANA name (the randomization date is the site's calendar day).
  const siteTimeZones =
    options.siteTimeZones === undefined
      ? undefined
      : Object.fromEntries(
          options.siteTimeZones.split(',').map((pair) => {
            const [site, zone, extra] = pair.split('=').map((x) => x.trim());
            if (site === undefined || site === '' || zone === undefined || zone === '' || extra !== undefined)
              throw new InputError('--site-time-zones: expected SITE=ZONE pairs separated by commas');
            // Checked before the database file is created, so that a mistyped zone leaves nothing to delete.
            if (!isTimeZone(zone)) throw new InputError(`--site-time-zones: ${site} has no known IANA time zone`);
            return [site, zone];
          }),
        );
  const siteCountries =
    options.siteCountries === undefined ? undefined : parseSiteCountries('--site-countries', options.siteCountries);
  const seed = parseInteger('--seed', options.seed, 0, 0x7fffffff);
  if (options.method !== 'permuted-blocks' && options.method !== 'minimisation') {
    throw new InputError('--method: expected permuted-blocks or minimisation');
  }
  // No default: a default is printed in this help and the docs, so every blinded reader would know the block sizes
  // (ICH E9 keeps them from the investigators), and with a block of 2 one guessed arm gives away the next.
  if (options.method === 'permuted-blocks' && options.blockSizes === undefined) {
    throw new InputError(
      "--block-sizes: give the trial's block sizes (multiples of the ratio sum, e.g. 4,6); keep them from blinded staff",
    );
  }
  const pBest = Number(options.pBest);
  if (options.pBest.trim() === '' || !Number.isFinite(pBest)) {
    throw new InputError('--p-best: expected a probability above 0.5 and at most 1, such as 0.8');
  }
  const plan = planOrFail(
    planFromProtocol(protocol, {
      method: options.method,
      seed,
      ...(sites !== undefined && { sites }),
      ...(options.blockSizes !== undefined && { blockSizes: parseIntList('--block-sizes', options.blockSizes) }),
      perStratum: parseInteger('--per-stratum', options.perStratum, 1, 100000),
      pBest,
    }),
    // init's factors are the protocol's, with --sites as the site levels.
    { factors: '--sites' },
  );
  // The kit options are read before the database is created too: a trial initialised without its kits could not be
  // initialised again (the file exists) to add them.
  const kitsPerArm =
    options.kitsPerArm === undefined ? undefined : parseInteger('--kits-per-arm', options.kitsPerArm, 1, 100000);
  if (kitsPerArm !== undefined && options.kitSeed === undefined) {
    throw new InputError('--kit-seed: give the seed of the kit list (0 to 2147483647) with --kits-per-arm');
  }
  // A seed alone makes no list: initialising without kits would be taken for what was asked.
  if (kitsPerArm === undefined && options.kitSeed !== undefined) {
    throw new InputError('--kits-per-arm: give the number of kits per arm (1 to 100000) with --kit-seed');
  }
  const kitSeed =
    kitsPerArm === undefined ? undefined : parseInteger('--kit-seed', options.kitSeed ?? '', 0, 0x7fffffff);
  const where = parseLocation(options.db);
  if (where.kind === 'sqlite' && existsSync(where.path))
    throw new InputError('--trial-db: the file exists; a trial is initialised once');
  if (where.kind === 'sqlite' && where.path !== ':memory:') makeOutputFolder('--trial-db', dirname(where.path));
  const initStore = async (): Promise<void> => {
    const store = await openTrialStore(options.db);
    try {
      const info = await store.init(operator('administrator', 'trial initialised from the command line'), {
        protocol,
        plan,
        ...(siteTimeZones !== undefined && { siteTimeZones }),
        ...(siteCountries !== undefined && { siteCountries }),
      });
      let kits = 0;
      if (kitsPerArm !== undefined && kitSeed !== undefined) {
        kits = await store.addKits(
          operator('unblinded-pharmacist', 'kit list generated at initialisation'),
          generateKits(plan.arms, kitsPerArm, kitSeed),
        );
      }
      out(
        `initialised ${info.protocolId} ${info.protocolVersion}: ${info.method}, arms ${info.arms.join(', ')}, factors ${info.factors.map((f) => `${f.id}=${f.levels.join('/')}`).join(' ')}, ${kits} kits\n`,
      );
    } finally {
      await store.close();
    }
  };
  // A refused initialisation leaves no database file: one left behind could not be initialised again (it exists).
  const created = where.kind === 'sqlite' && where.path !== ':memory:' ? where.path : undefined;
  try {
    await initStore();
  } catch (error) {
    if (created !== undefined)
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${created}${suffix}`, { force: true });
    throw error;
  }
}

export async function runVerifyAudit(options: { db: string; expectHead?: string }): Promise<void> {
  await withStore(options.db, async (store) => {
    const v = await store.verifyAudit();
    const problems = [...v.problems];
    if (options.expectHead !== undefined) {
      const m = /^(\d+):([0-9a-f]{64})$/.exec(options.expectHead.trim());
      if (m === null) throw new InputError('--expect-head: expected SEQ:HASH as printed by an earlier verify-audit');
      const seq = Number(m[1]);
      const kept = v.head.seq >= seq ? (await store.listAudit({ fromSeq: seq, limit: 1 }))[0] : undefined;
      if (kept?.hash !== m[2]) {
        problems.push({
          seq,
          kind: 'head-mismatch',
          message: `entry ${seq} no longer has the hash recorded earlier (trail truncated or rewritten)`,
        });
      }
    }
    if (problems.length === 0) {
      out(`audit trail verified: ${v.entries} entries; head ${v.head.seq}:${v.head.hash}\n`);
      return;
    }
    for (const p of problems) out(`${p.kind}: ${p.message}\n`);
    throw new CheckFailed(`the audit trail fails verification (${problems.length} problem(s))`);
  });
}

/** Table row counts, to compare a backup with its source. */
function counts(db: Database.Database): Record<string, number> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
    name: string;
  }[];
  return Object.fromEntries(
    tables.map((t) => [t.name, (db.prepare(`SELECT COUNT(*) AS n FROM "${t.name}"`).get() as { n: number }).n]),
  );
}

/** Opens a copy of the file as a store and verifies its audit chain; returns the verification. */
async function verifyCopy(path: string): ReturnType<SqlTrialStore['verifyAudit']> {
  const store = await openTrialStore(path);
  try {
    if ((await store.trial()) === null) throw new InputError('the backup holds no initialised trial');
    return await store.verifyAudit();
  } finally {
    await store.close();
  }
}

function sqlitePath(option: string, location: string): string {
  const where = parseLocation(location);
  if (where.kind !== 'sqlite') {
    throw new InputError(
      `${option}: backup and restore handle SQLite; for PostgreSQL use pg_dump/pg_restore (docs/trial-operations.md)`,
    );
  }
  return where.path;
}

export async function runBackup(options: { db: string; to: string }): Promise<void> {
  const source = sqlitePath('--trial-db', options.db);
  checkExistingSqliteStore('--trial-db', source);
  const target = resolve(options.to);
  if (existsSync(target)) throw new InputError('--to: the file exists; choose a new backup file');
  checkOutputFile('--to', target, [source]);
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    // better-sqlite3's online backup copies pages while other connections keep writing.
    await db.backup(target);
    const before = counts(db);
    const copy = new Database(target, { readonly: true, fileMustExist: true });
    const after = counts(copy);
    const integrity = copy.pragma('integrity_check', { simple: true });
    copy.close();
    const v = await verifyCopy(target);
    // Rows written after the backup started are not in it: the copy may have fewer audit entries, never more.
    const auditOk = v.ok && (after.audit ?? 0) <= (before.audit ?? 0);
    if (integrity !== 'ok' || !auditOk) {
      rmSync(target, { force: true });
      throw new CheckFailed('the backup failed its check (integrity or audit chain); it was removed');
    }
    out(`backup written and verified: ${target} (${v.entries} audit entries; head ${v.head.seq}:${v.head.hash})\n`);
  } finally {
    db.close();
  }
}

export async function runRestore(options: { from: string; db: string; force?: boolean }): Promise<void> {
  const from = resolve(options.from);
  if (!existsSync(from)) throw new InputError(`--from: no such file ${options.from}`);
  checkExistingSqliteStore('--from', from);
  const target = resolve(sqlitePath('--trial-db', options.db));
  if (existsSync(target) && options.force !== true)
    throw new InputError('--trial-db: the file exists; pass --force to replace it');
  makeOutputFolder('--trial-db', dirname(target));
  const v = await verifyCopy(from);
  if (!v.ok) {
    throw new CheckFailed('the backup fails audit verification; nothing was restored');
  }
  mkdirSync(dirname(target), { recursive: true });
  const staging = `${target}.restoring`;
  rmSync(staging, { force: true });
  const src = new Database(from, { readonly: true, fileMustExist: true });
  try {
    await src.backup(staging);
  } finally {
    src.close();
  }
  const check = await verifyCopy(staging);
  if (!check.ok || check.head.hash !== v.head.hash) {
    rmSync(staging, { force: true });
    throw new CheckFailed('the restored copy does not match the backup; nothing was restored');
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(staging, target);
  out(`restored ${target} from ${from} (${check.entries} audit entries; head ${check.head.seq}:${check.head.hash})\n`);
}

/**
 * SITE=COUNTRY pairs (`A=GBR,B=AUS`), each country ISO 3166-1 alpha-3 in capitals (SDTM DM COUNTRY), checked before
 * anything is written; the store checks the sites against the plan.
 */
function parseSiteCountries(option: string, text: string): Record<string, string> {
  return Object.fromEntries(
    text.split(',').map((pair) => {
      const [site, country, extra] = pair.split('=').map((x) => x.trim());
      if (site === undefined || site === '' || country === undefined || country === '' || extra !== undefined)
        throw new InputError(`${option}: expected SITE=COUNTRY pairs separated by commas, e.g. A=GBR,B=AUS`);
      if (!CountryCodeSchema.safeParse(country).success)
        throw new InputError(
          `${option}: ${site}=${country}: expected an ISO 3166-1 alpha-3 code in capitals, e.g. GBR`,
        );
      return [site, country];
    }),
  );
}

/** The sites' countries of an initialised trial (one initialised before they were recorded): audited, with a reason. */
export async function runSiteCountries(options: { db: string; set: string; reason: string }): Promise<void> {
  const countries = parseSiteCountries('--set', options.set);
  if (options.reason.trim() === '') throw new InputError('--reason: say why the countries are set');
  await withStore(options.db, async (store) => {
    if ((await store.trial()) === null) throw new InputError('--trial-db: the trial is not initialised');
    const info = await store.setSiteCountries(operator('administrator', options.reason), countries);
    out(
      `site countries: ${Object.entries(info.siteCountries)
        .map(([site, country]) => `${site}=${country}`)
        .join(', ')}\n`,
    );
  });
}

interface ExportOptions {
  db: string;
  format: string;
  out?: string;
  outcome?: string;
  blinded?: boolean;
  spreadsheetSafe?: boolean;
}

export async function runExport(options: ExportOptions): Promise<void> {
  if (!['analysis-csv', 'sdtm', 'fhir'].includes(options.format))
    throw new InputError('--format: expected analysis-csv, sdtm or fhir');
  if (options.format === 'sdtm' && options.out === undefined)
    throw new InputError('--out: sdtm writes one CSV per domain into a folder');
  // The SDTM datasets are written exactly (submission data); a copy to open in a spreadsheet is asked for. The
  // analysis CSV is always spreadsheet-safe, and the FHIR Bundle is JSON.
  if (options.spreadsheetSafe === true && options.format !== 'sdtm')
    throw new InputError(
      `--spreadsheet-safe: only for --format sdtm (${options.format === 'fhir' ? 'fhir is JSON' : 'analysis-csv is always written spreadsheet-safe'})`,
    );
  if (options.out !== undefined) {
    // The database is an input by its path, however --trial-db names it (a path, or sqlite:PATH).
    const where = parseLocation(options.db);
    if (options.format === 'sdtm') makeOutputFolder('--out', options.out);
    else checkOutputFile('--out', options.out, where.kind === 'sqlite' ? [where.path] : []);
  }
  await withStore(options.db, async (store) => {
    const protocol = await store.protocol();
    if (protocol === null) throw new InputError('--trial-db: the trial is not initialised');
    const full = await store.snapshot();
    // Blinded: no allocation, and entered text naming an arm written [concealed] (as the server shows it).
    const snapshot = options.blinded === true ? blindSnapshot(full, protocol.arms ?? []) : full;
    // The export is made first and recorded before it is written: a refused export (an unknown --outcome) leaves no
    // audit entry of an export that never happened, and every file written has its entry.
    const record = (detail: Record<string, unknown>) =>
      store.recordEvent(operator('administrator', 'export from the command line'), 'export', {
        format: options.format,
        blinded: options.blinded === true,
        ...detail,
      });
    if (options.format === 'analysis-csv') {
      let result;
      try {
        // The pathway the store converted the baseline hs-CRP with (the bundled one: `trd trial` takes no --pathway).
        result = analysisCsv(snapshot, protocol, loadInstruments(), loadKnowledge().pathway, options.outcome);
      } catch (error) {
        throw new InputError(`--outcome: ${(error as Error).message}`);
      }
      await record(options.outcome === undefined ? {} : { outcome: options.outcome });
      if (options.out === undefined) out(result.csv);
      else writeFileSync(options.out, result.csv);
      if (result.rescored > 0) {
        cliIo().err(
          `note: ${result.rescored} form(s) entered under another scoring than the outcome's (${result.outcome.scoring}) were scored again from their answers\n`,
        );
      }
      if (result.withoutBaseline > 0) {
        cliIo().err(
          `note: ${result.withoutBaseline} randomized participant(s) without a complete baseline score: their baseline cells are empty\n`,
        );
      }
      if (result.baselineAfterInfusion > 0) {
        cliIo().err(
          `note: ${result.baselineAfterInfusion} of them with a baseline form completed after the infusion, which is no baseline: correct its date or visit if it was entered wrong\n`,
        );
      }
      if (result.crpMolar.n > 0) {
        cliIo().err(
          `note: ${result.crpMolar.n} randomized participant(s) with a baseline hs-CRP entered in a molar unit: crp_mg_per_l is converted with the pathway's ${result.crpMolar.factor}${result.crpMolar.unverified ? ', unverified' : ''}, named in crp_conversion${result.crpMolar.otherFactor > 0 ? ` (${result.crpMolar.otherFactor} of them converted at enrolment with another pathway's factor, as crp_conversion says: check them)` : ''}\n`,
        );
      }
      if (result.crpWithoutUnit > 0) {
        cliIo().err(
          `note: ${result.crpWithoutUnit} randomized participant(s) enrolled before the baseline hs-CRP unit was recorded: their value is taken as mg/L and crp_unit_as_entered is empty; correct the enrolment with the unit from the report\n`,
        );
      }
    } else if (options.format === 'sdtm') {
      const dir = options.out as string;
      const instruments = loadInstruments();
      const safe = options.spreadsheetSafe === true;
      const domains = sdtmDomains(snapshot, protocol, instruments, { spreadsheetSafe: safe });
      // The Define-XML metadata of those files, beside them (its def:leaf entries name them). A spreadsheet copy has
      // none: its escaped cells are not the values (nor the lengths) the define describes.
      const define = safe ? null : sdtmDefine(snapshot, protocol, instruments, { createdAt: new Date().toISOString() });
      await record(safe ? { spreadsheetSafe: true } : {});
      mkdirSync(dir, { recursive: true });
      for (const d of SDTM_DOMAINS) writeFileSync(join(dir, `${d.toLowerCase()}.csv`), domains[d]);
      // A define.xml an earlier export left in the folder would describe other values than the spreadsheet copy's.
      if (define !== null) writeFileSync(join(dir, 'define.xml'), define);
      else rmSync(join(dir, 'define.xml'), { force: true });
      const files = SDTM_DOMAINS.map((d) => `${d.toLowerCase()}.csv`).join(', ');
      out(
        safe
          ? `wrote ${files} to ${dir}: a copy to open in a spreadsheet (text that begins like a formula has a leading '), not the datasets to submit, so no define.xml\n`
          : `wrote ${files}, define.xml to ${dir}\n`,
      );
      // What DM leaves empty for want of data (SEX, AGE, COUNTRY of a database from before they were recorded).
      // and the units LB keeps as entered, having no CDISC UNIT submission value in the table.
      for (const note of [...dmDemographicsNotes(snapshot), ...sdtmUnitNotes(snapshot)]) cliIo().err(`note: ${note}\n`);
    } else {
      const text = `${JSON.stringify(fhirResearchBundle(snapshot, protocol), null, 2)}\n`;
      await record({});
      if (options.out === undefined) out(text);
      else writeFileSync(options.out, text);
    }
  });
}

export async function runConsort(options: { db: string; blinded?: boolean; json?: boolean }): Promise<void> {
  await withStore(options.db, async (store) => {
    const protocol = await store.protocol();
    if (protocol === null) throw new InputError('--trial-db: the trial is not initialised');
    const s = await store.snapshot();
    const blinded = options.blinded === true;
    const flow = consortFlow(blinded ? blindSnapshot(s) : s, protocol, blinded);
    if (options.json === true) {
      out(`${JSON.stringify(flow, null, 2)}\n`);
      return;
    }
    const lines = [
      `Assessed for eligibility: ${flow.assessedForEligibility}`,
      `Excluded: ${flow.excluded.total} (not meeting criteria ${flow.excluded.notMeetingCriteria}, undecided ${flow.excluded.undecided}, not consented ${flow.excluded.declinedOrNotConsented}, other ${flow.excluded.otherReasons})`,
      `Enrolled: ${flow.enrolled}; randomized: ${flow.randomized}; awaiting randomization: ${flow.awaitingRandomization}`,
      ...flow.arms.map(
        (a) =>
          `Arm ${a.arm}: allocated ${a.allocated}, received intervention ${a.receivedIntervention}, lost to follow-up ${a.lostToFollowUp}, discontinued ${a.discontinued}, analysed ${a.analysed}`,
      ),
    ];
    out(`${lines.join('\n')}\n`);
  });
}

/**
 * The trial store, spelt `--trial-db` as `trd serve` and `trd trial-user` spell it; `--db`, its earlier spelling here,
 * stays an alias so that scripts written for it run unchanged (commander takes two long names, the value as `db`).
 */
const TRIAL_DB = '--trial-db, --db <location>';
const trialDb = (what: string): string => `${what} (--db: the same, its earlier spelling)`;

export function registerTrial(program: Command): void {
  const trial = program
    .command('trial')
    .description('trial operations: allocation tables, the trial database, audit, backup, exports');
  trial
    .command('allocation-table')
    .description('print a stratified permuted-block allocation table (columns stratum,sequence,block,block_size,arm)')
    .requiredOption('--arms <list>', 'arms and ratios, e.g. tocilizumab:1,placebo:1')
    .option('--strata <factor=levels>', 'a stratification factor, e.g. crp=high,low (repeat for each factor)', collect)
    .requiredOption(
      '--block-sizes <list>',
      'block sizes drawn at random per block, multiples of the ratio sum, e.g. 2,4,6',
    )
    .requiredOption('--per-stratum <n>', 'slots per stratum at least (the last block is complete)')
    .requiredOption('--seed <s>', 'seed (0 to 2147483647): the same seed gives the same table')
    .option('--format <csv|redcap>', "csv, or redcap for REDCap's allocation upload", 'csv')
    .option('--redcap-field <name>', 'with --format redcap: the randomization field name', 'rand_group')
    .option('--redcap-dag <factor>', 'with --format redcap: the factor whose levels are data access group ids')
    .action((options: TableOptions) => runAllocationTable(options));
  trial
    .command('init')
    .description('create a trial database from a bundled protocol (knowledge/trials/) and a randomization plan')
    .requiredOption(TRIAL_DB, trialDb('SQLite file (created), sqlite:<path>, or postgres://...'))
    .requiredOption('--protocol <id>', 'protocol id, e.g. insight')
    .option('--sites <codes>', 'site codes (the site stratification levels), e.g. A,B')
    .option(
      '--site-time-zones <pairs>',
      "each site's IANA time zone, e.g. A=Europe/London,B=Australia/Sydney (randomization dates are the site's day; UTC otherwise)",
    )
    .option(
      '--site-countries <pairs>',
      "each site's country, ISO 3166-1 alpha-3, e.g. A=GBR,B=AUS (SDTM DM COUNTRY; empty otherwise)",
    )
    .option('--method <m>', 'permuted-blocks or minimisation', 'permuted-blocks')
    .option(
      '--block-sizes <list>',
      "permuted blocks (required): the trial's block sizes, multiples of the ratio sum, e.g. 4,6 (keep them from blinded staff)",
    )
    .option('--per-stratum <n>', 'permuted blocks: slots generated per stratum', '100')
    .option('--p-best <p>', 'minimisation: probability of the imbalance-minimising arm', '0.8')
    .requiredOption('--seed <s>', 'randomization seed (keep it secret: it rebuilds the list)')
    .option(
      '--kits-per-arm <n>',
      'also generate a blinded kit list in the allocation ratio: n kits per unit of the ratio in lowest terms (2:1 with 100: 200 and 100)',
    )
    .option('--kit-seed <s>', 'seed of the kit list (goes with --kits-per-arm: each needs the other)')
    .action(runInit);
  trial
    .command('site-countries')
    .description("set the sites' countries (SDTM DM COUNTRY) of a trial initialised without them; audited")
    .requiredOption(TRIAL_DB, trialDb('trial database'))
    .requiredOption('--set <pairs>', 'SITE=COUNTRY pairs, ISO 3166-1 alpha-3, e.g. A=GBR,B=AUS')
    .requiredOption('--reason <text>', 'why (the audit trail)')
    .action(runSiteCountries);
  trial
    .command('verify-audit')
    .description('recompute the audit hash chain; exit 1 if any entry was edited, deleted, inserted or reordered')
    .requiredOption(TRIAL_DB, trialDb('trial database'))
    .option('--expect-head <seq:hash>', 'a head printed earlier: detects truncation and rewriting since then')
    .action(runVerifyAudit);
  trial
    .command('backup')
    .description('online backup of a SQLite trial database, verified by reading it back')
    .requiredOption(TRIAL_DB, trialDb('trial database (SQLite)'))
    .requiredOption('--to <file>', 'new backup file')
    .action(runBackup);
  trial
    .command('restore')
    .description('restore a SQLite trial database from a verified backup')
    .requiredOption('--from <file>', 'backup file')
    .requiredOption(TRIAL_DB, trialDb('trial database to write'))
    .option('--force', 'replace an existing database file')
    .action(runRestore);
  trial
    .command('export')
    .description(`export trial data: analysis-csv (trd analyze), sdtm (${SDTM_DOMAINS.join(', ')}, define.xml), fhir`)
    .requiredOption(TRIAL_DB, trialDb('trial database'))
    .requiredOption('--format <f>', 'analysis-csv, sdtm or fhir')
    .option('--out <path>', 'file (analysis-csv, fhir) or folder (sdtm); default stdout')
    .option('--outcome <id>', 'analysis-csv: an outcome id of the protocol (default the primary)')
    .option('--blinded', 'leave the allocated arms out')
    .option(
      '--spreadsheet-safe',
      "sdtm: a copy to open in a spreadsheet (text beginning with = + - @ gets a leading '), without define.xml",
    )
    .action(runExport);
  trial
    .command('consort')
    .description('the CONSORT flow counts')
    .requiredOption(TRIAL_DB, trialDb('trial database'))
    .option('--blinded', 'pool the arms')
    .option('--json', 'print as JSON')
    .action(runConsort);
}
