/**
 * `trd screen-merge`: the outputs of `trd screen --shard i/n` (i = 1..n) merged into the output an unsharded run
 * gives, byte for byte: each shard's lines are in the source's patient order, so a k-way merge restores the whole
 * order. Refuses shards of different runs, missing or repeated shards, and unfinished shards (no meta file).
 */
import { existsSync, openSync, closeSync, writeSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../record/index.ts';
import type { ScreenMeta } from './run.ts';
import { screenPaths } from './run.ts';

function readMeta(out: string): ScreenMeta {
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
    return (a, b) => Number(a.slice(8)) - Number(b.slice(8));
  }
  return (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export async function mergeShards(shardOuts: readonly string[], out: string): Promise<ScreenMeta> {
  if (shardOuts.length === 0) throw new InputError('give the shard outputs to merge', 'screen.merge.none');
  const metas = shardOuts.map(readMeta);
  const first = metas[0] as ScreenMeta;
  const count = Number(first.identity.shard.split('/')[1]);
  const { shard: _s, ...same } = first.identity;
  const seen = new Set<string>();
  for (const m of metas) {
    const { shard, ...rest } = m.identity;
    if (JSON.stringify(rest) !== JSON.stringify(same) || Number(shard.split('/')[1]) !== count) {
      throw new InputError(
        'the shard outputs come from different screens (source, schema, date, pathway, trd version or cut-offs differ)',
        'screen.merge.mismatch',
      );
    }
    if (seen.has(shard)) throw new InputError(`shard ${shard} is given twice`, 'screen.merge.repeated');
    seen.add(shard);
  }
  if (seen.size !== count)
    throw new InputError(`${count - seen.size} of ${count} shards are missing`, 'screen.merge.missing');
  const order = patientOrder(first.kind ?? 'ndjson');
  const readers = shardOuts.map((f) =>
    createInterface({ input: createReadStream(f), crlfDelay: Infinity })[Symbol.asyncIterator](),
  );
  const heads: ({ line: string; key: string } | undefined)[] = await Promise.all(readers.map((r) => next(r)));
  const paths = screenPaths(out);
  const fd = openSync(paths.partial, 'w');
  let patients = 0;
  try {
    let buffer: string[] = [];
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h !== undefined && (best < 0 || order(h.key, (heads[best] as { key: string }).key) < 0)) best = i;
      }
      if (best < 0) break;
      buffer.push(`${(heads[best] as { line: string }).line}\n`);
      patients++;
      if (buffer.length >= 10_000) {
        writeSync(fd, buffer.join(''));
        buffer = [];
      }
      heads[best] = await next(readers[best] as AsyncIterator<string>);
    }
    writeSync(fd, buffer.join(''));
  } finally {
    closeSync(fd);
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
    },
  };
  writeFileSync(paths.meta, `${JSON.stringify(meta, null, 2)}\n`);
  renameSync(paths.partial, out);
  return meta;
}

async function next(r: AsyncIterator<string>): Promise<{ line: string; key: string } | undefined> {
  for (;;) {
    const n = await r.next();
    if (n.done === true) return undefined;
    if (n.value.trim() === '') continue;
    const key = (JSON.parse(n.value) as { patient: string }).patient;
    return { line: n.value, key };
  }
}
