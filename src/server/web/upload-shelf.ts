/**
 * Where the web app keeps an uploaded Bundle for 30 minutes under a random token, so that its page and handout can
 * be opened: in memory only, never written or logged. With several server processes (`trd serve --workers N`,
 * src/server/cluster.ts) the request that opens the page may reach another process than the upload did, so the
 * cluster's primary process holds the uploads and the server processes ask it over the cluster's IPC channel.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';

export interface HeldUpload {
  readonly bundle: unknown;
  readonly asOf: string;
  /** The file's size as uploaded: what the shelf counts against MAX_HELD_BYTES. */
  readonly bytes: number;
}

export interface UploadShelf {
  /** Keeps the upload and returns its token. */
  hold(upload: HeldUpload): Promise<string>;
  /** The upload, or undefined when the token is unknown or its 30 minutes are over. */
  find(token: string): Promise<HeldUpload | undefined>;
}

export const UPLOAD_TTL_MS = 30 * 60 * 1000;
/** At most this many uploads are held; the oldest go first. */
const MAX_HELD = 200;
/**
 * At most this many bytes of uploaded files are held (a parsed Bundle takes several times its file's size): anyone
 * who can reach the server may upload, and 200 files at the 8 MiB body limit would fill the memory of the process
 * that holds every upload of a cluster. A patient's Bundle is a few MiB at most; the oldest go first.
 */
export const MAX_HELD_BYTES = 128 * 1024 * 1024;

/** The uploads of one process, in a Map (insertion order is age order). */
export class MemoryShelf {
  private readonly held = new Map<string, HeldUpload & { readonly expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  hold(upload: HeldUpload): string {
    const now = this.now();
    let bytes = this.heldBytes() + upload.bytes;
    // Oldest first (insertion order): the expired, then as many as the count and the byte bound need.
    for (const [token, h] of this.held) {
      if (h.expires >= now && this.held.size < MAX_HELD && bytes <= MAX_HELD_BYTES) break;
      this.held.delete(token);
      bytes -= h.bytes;
    }
    const token = randomBytes(18).toString('base64url');
    this.held.set(token, { ...upload, expires: now + UPLOAD_TTL_MS });
    return token;
  }

  /** The bytes of the uploads held. */
  heldBytes(): number {
    let total = 0;
    for (const h of this.held.values()) total += h.bytes;
    return total;
  }

  find(token: string): HeldUpload | undefined {
    const h = this.held.get(token);
    return h === undefined || h.expires < this.now() ? undefined : { bundle: h.bundle, asOf: h.asOf, bytes: h.bytes };
  }
}

/** The IPC messages between a server process and the primary; `trdUploadShelf` tells them from other messages. */
type ShelfRequest =
  | { readonly trdUploadShelf: 'hold'; readonly id: number; readonly upload: HeldUpload }
  | { readonly trdUploadShelf: 'find'; readonly id: number; readonly token: string };
interface ShelfReply {
  readonly trdUploadShelf: 'reply';
  readonly id: number;
  readonly token?: string;
  readonly upload?: HeldUpload;
}

const isShelfMessage = (m: unknown): m is { trdUploadShelf: string } =>
  typeof m === 'object' && m !== null && 'trdUploadShelf' in m;

/** In a server process of a cluster: the primary's shelf, asked over IPC. */
function primaryShelf(): UploadShelf {
  const pending = new Map<number, (reply: ShelfReply) => void>();
  let nextId = 0;
  process.on('message', (m: unknown) => {
    if (!isShelfMessage(m) || m.trdUploadShelf !== 'reply') return;
    const reply = m as ShelfReply;
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  const ask = (request: ShelfRequest): Promise<ShelfReply> =>
    new Promise((resolve, reject) => {
      pending.set(request.id, resolve);
      process.send?.(request, undefined, undefined, (error) => {
        if (error === null) return;
        pending.delete(request.id);
        reject(error);
      });
    });
  return {
    hold: async (upload) => {
      const reply = await ask({ trdUploadShelf: 'hold', id: nextId++, upload });
      if (reply.token === undefined) throw new Error('the primary process did not hold the upload');
      return reply.token;
    },
    find: async (token) => (await ask({ trdUploadShelf: 'find', id: nextId++, token })).upload,
  };
}

/** The shelf for this process: its own memory, or the primary's when it is a server process of a cluster. */
export function uploadShelf(): UploadShelf {
  if (cluster.isWorker) return primaryShelf();
  const shelf = new MemoryShelf();
  return { hold: async (upload) => shelf.hold(upload), find: async (token) => shelf.find(token) };
}

/** In the primary: answers a server process's shelf requests from the one shelf of the cluster. */
export function serveShelf(worker: Worker, shelf: MemoryShelf): void {
  worker.on('message', (m: unknown) => {
    if (!isShelfMessage(m)) return;
    const request = m as ShelfRequest;
    const reply: ShelfReply =
      request.trdUploadShelf === 'hold'
        ? { trdUploadShelf: 'reply', id: request.id, token: shelf.hold(request.upload) }
        : { trdUploadShelf: 'reply', id: request.id, ...optional(shelf.find(request.token)) };
    worker.send(reply);
  });
}

const optional = (upload: HeldUpload | undefined): { upload?: HeldUpload } => (upload === undefined ? {} : { upload });
