/**
 * `trd screen-merge`: the outputs of `trd screen --shard i/n` (i = 1..n) merged into the output an unsharded run
 * gives, byte for byte: each shard's lines are in the source's patient order, so a k-way merge restores the whole
 * order. Refuses shards of different runs, missing or repeated shards, unfinished shards (no meta file), and shard
 * outputs that are not as written: fewer or more lines than their meta file counts, a line that is not a result, or
 * patients out of order.
 */
import { existsSync, openSync, closeSync, writeSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../record/index.ts';
import type { ScreenMeta } from './run.ts';
import { identityDifferences, screenPaths } from './run.ts';

export function readMeta(out: string): ScreenMeta {
  const path = screenPaths(out).meta;
  if (!existsSync(out) || !existsSync(path)) {
    throw new InputError(`${out}: not a finished screen output (no ${path})`, 'screen.merge.unfinished');
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ScreenMeta;
  } catch {
    throw new InputError(`${path}: not a screen meta file`, 'screen.merge.meta');
  }
}

/** The order a source's patients come in: text order of the reference (NDJSON), or person_id (OMOP). */
export function patientOrder(kind: string): (a: string, b: string) => number {
  if (kind.startsWith('omop')) {
    // As whole numbers of any size: a person_id above 2^53 is not a JavaScript number.
    return (a, b) => {
      const x = personIdOf(a);
      const y = personIdOf(b);
      return x < y ? -1 : x > y ? 1 : 0;
    };
  }
  return (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function personIdOf(patient: string): bigint {
  const id = patient.slice('Patient/'.length);
  if (!/^-?\d+$/.test(id)) throw new InputError(`${patient}: not an OMOP person's reference`, 'screen.merge.malformed');
  return BigInt(id);
}

/**
 * `replaces`: files of an earlier merge into the same `out` besides it and its `.meta.json` (the `--report`), removed
 * once the shards are checked, as an earlier screen's are (run.ts).
 */
export async function mergeShards(
  shardOuts: readonly string[],
  out: string,
  replaces: readonly string[] = [],
): Promise<ScreenMeta> {
  if (shardOuts.length === 0) throw new InputError('give the shard outputs to merge', 'screen.merge.none');
  const metas = shardOuts.map(readMeta);
  for (const [i, m] of metas.entries()) {
    if (!/^\d+\/\d+$/.test(m.identity.shard)) {
      throw new InputError(`${shardOuts[i]}: a merged output, not the output of one shard`, 'screen.merge.merged');
    }
  }
  const first = metas[0] as ScreenMeta;
  const count = Number(first.identity.shard.split('/')[1]);
  const seen = new Set<string>();
  for (const [i, m] of metas.entries()) {
    const { shard } = m.identity;
    const differ = identityDifferences(first.identity, m.identity);
    if (differ.length > 0) {
      throw new InputError(
        `${shardOuts[i]} and ${shardOuts[0]} come from different screens: ${differ.join('; ')} differ`,
        'screen.merge.mismatch',
      );
    }
    if (seen.has(shard)) throw new InputError(`shard ${shard} is given twice`, 'screen.merge.repeated');
    seen.add(shard);
  }
  if (seen.size !== count) {
    // Named, so the run that wrote each missing output can be found: "shard 3/3 is missing (1 of 3)".
    const missing = Array.from({ length: count }, (_, i) => `${i + 1}/${count}`).filter((s) => !seen.has(s));
    const named = missing.length <= 10 ? missing.join(', ') : `${missing.slice(0, 10).join(', ')}, ...`;
    throw new InputError(
      `${missing.length === 1 ? 'shard' : 'shards'} ${named} ${missing.length === 1 ? 'is' : 'are'} missing (${missing.length} of ${count})`,
      'screen.merge.missing',
    );
  }
  const order = patientOrder(first.kind ?? 'ndjson');
  const readers = shardOuts.map((file) => new ShardReader(file));
  const paths = screenPaths(out);
  // An earlier merge's result would be replaced at the end; left beside this merge's partial output until then, it
  // would pass for this merge's result should this one be refused midway (a shard cut short) or interrupted.
  for (const p of [paths.out, paths.meta, ...replaces]) rmSync(p, { force: true });
  const fd = openSync(paths.partial, 'w');
  let patients = 0;
  try {
    const heads: (Head | undefined)[] = await Promise.all(readers.map((r) => r.next()));
    let buffer: string[] = [];
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h !== undefined && (best < 0 || order(h.key, (heads[best] as Head).key) < 0)) best = i;
      }
      if (best < 0) break;
      const head = heads[best] as Head;
      buffer.push(`${head.line}\n`);
      patients++;
      if (buffer.length >= 10_000) {
        writeSync(fd, buffer.join(''));
        buffer = [];
      }
      const following = await (readers[best] as ShardReader).next();
      if (following !== undefined && order(following.key, head.key) <= 0) {
        throw new InputError(
          `${shardOuts[best]}:${(readers[best] as ShardReader).lineNumber}: ${following.key} is out of the source's patient order (not a screen output as written)`,
          'screen.merge.order',
        );
      }
      heads[best] = following;
    }
    writeSync(fd, buffer.join(''));
  } catch (error) {
    closeSync(fd);
    rmSync(paths.partial, { force: true });
    for (const r of readers) r.close();
    throw error;
  }
  closeSync(fd);
  // A shard cut short (copied in part, truncated) is only seen in its count: each line alone is whole.
  for (const [i, r] of readers.entries()) {
    const expected = (metas[i] as ScreenMeta).patients;
    if (r.patients !== expected) {
      rmSync(paths.partial, { force: true });
      throw new InputError(
        `${shardOuts[i]}: ${r.patients} patients, but ${screenPaths(shardOuts[i] as string).meta} says ${expected} (an incomplete or altered shard output)`,
        'screen.merge.incomplete',
      );
    }
  }
  const meta: ScreenMeta = {
    ...first,
    identity: { ...first.identity, shard: `merged ${count}` },
    patients,
    notAssessed: metas.reduce((n, m) => n + m.notAssessed, 0),
    quality: {
      malformedLines: metas.reduce((n, m) => n + m.quality.malformedLines, 0),
      malformedAt: metas.flatMap((m) => m.quality.malformedAt),
      recordsRead: metas.reduce((n, m) => n + m.quality.recordsRead, 0),
      recordsKept: metas.reduce((n, m) => n + m.quality.recordsKept, 0),
      withoutPatient: metas.reduce((n, m) => n + m.quality.withoutPatient, 0),
      ...(first.quality.mergedRecords === undefined
        ? {}
        : { mergedRecords: metas.reduce((n, m) => n + (m.quality.mergedRecords ?? 0), 0) }),
      ...(first.quality.medicationsNotInExport === undefined
        ? {}
        : { medicationsNotInExport: metas.reduce((n, m) => n + (m.quality.medicationsNotInExport ?? 0), 0) }),
    },
  };
  writeFileSync(paths.meta, `${JSON.stringify(meta, null, 2)}\n`);
  renameSync(paths.partial, out);
  return meta;
}

interface Head {
  readonly line: string;
  readonly key: string;
}

/** One shard output read line by line; a line that is not a screen result is an InputError naming file and line. */
class ShardReader {
  readonly #input: ReturnType<typeof createReadStream>;
  readonly #lines: AsyncIterator<string>;
  lineNumber = 0;
  patients = 0;

  constructor(readonly file: string) {
    this.#input = createReadStream(file);
    this.#lines = createInterface({ input: this.#input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  async next(): Promise<Head | undefined> {
    for (;;) {
      const n = await this.#lines.next();
      if (n.done === true) return undefined;
      this.lineNumber++;
      if (n.value.trim() === '') continue;
      let key: unknown;
      try {
        key = (JSON.parse(n.value) as { patient?: unknown } | null)?.patient;
      } catch {
        key = undefined;
      }
      if (typeof key !== 'string') {
        throw new InputError(
          `${this.file}:${this.lineNumber}: not a screen result line (a cut or altered shard output)`,
          'screen.merge.malformed',
        );
      }
      this.patients++;
      return { line: n.value, key };
    }
  }

  close(): void {
    this.#input.destroy();
  }
}
