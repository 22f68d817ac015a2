/**
 * The uploads the web app holds (anyone who can reach the server may upload) are bounded in bytes as well as in
 * number: 200 uploads at the 8 MiB body limit would hold gigabytes once parsed, in the one process that keeps every
 * upload of a cluster, and take the service down. The oldest go first; an upload within the bound stays 30 minutes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_HELD_BYTES, MemoryShelf, UPLOAD_TTL_MS } from './upload-shelf.ts';

const MiB = 1024 * 1024;

test('the shelf holds no more bytes than its bound: the oldest uploads make room', () => {
  let now = 0;
  const shelf = new MemoryShelf(() => now);
  const eight = Math.floor(MAX_HELD_BYTES / (8 * MiB));
  const tokens = Array.from({ length: eight + 3 }, (_, i) =>
    shelf.hold({ bundle: { resourceType: 'Bundle', n: i }, asOf: '2026-11-27', bytes: 8 * MiB }),
  );
  assert.ok(shelf.heldBytes() <= MAX_HELD_BYTES, `${shelf.heldBytes()} bytes held`);
  assert.equal(shelf.find(tokens[0] as string), undefined, 'the oldest made room');
  assert.ok(shelf.find(tokens.at(-1) as string) !== undefined, 'the newest is held');
  // Small uploads are held side by side, each for 30 minutes.
  const small = new MemoryShelf(() => now);
  const a = small.hold({ bundle: {}, asOf: '2026-11-27', bytes: 50_000 });
  const b = small.hold({ bundle: {}, asOf: '2026-11-27', bytes: 50_000 });
  assert.ok(small.find(a) !== undefined && small.find(b) !== undefined);
  now += UPLOAD_TTL_MS + 1;
  assert.equal(small.find(a), undefined);
});
