/**
 * CDS Hooks feedback (card accepted or overridden, with the override reason and the clinician's comment), kept
 * durably in SQLite (better-sqlite3; WAL) so nothing a clinician entered is lost across restarts. One row per
 * feedback entry, with the client (JWT issuer) that sent it; listed per service and client, newest first, so a
 * client reads only its own entries (their comments are free text).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { OVERRIDE_REASON_SYSTEM, OVERRIDE_REASONS } from './cards.ts';

const CodingSchema = z.object({
  system: z.string().max(2048).optional(),
  code: z.string().max(256),
  display: z.string().max(1024).optional(),
});

/** The feedback request body (CDS Hooks 2.0 "Feedback"). */
export const FeedbackRequestSchema = z.object({
  feedback: z
    .array(
      z
        .object({
          card: z.string().min(1).max(128),
          outcome: z.enum(['accepted', 'overridden']),
          acceptedSuggestions: z
            .array(z.object({ id: z.string().min(1).max(128) }))
            .max(100)
            .optional(),
          overrideReason: z
            .object({
              // A code of the service's own system must be one the cards offer; CDS Hooks 2.0 lets the client offer
              // reasons of its own (another system), which are kept as sent. A reason of no system names neither.
              reason: CodingSchema.refine((c) => c.system !== undefined, 'system required')
                .refine(
                  (c) =>
                    c.system !== OVERRIDE_REASON_SYSTEM ||
                    OVERRIDE_REASONS.some((r) => r.system === c.system && r.code === c.code),
                  'not an override reason this service offers',
                )
                .optional(),
              userComment: z.string().max(10_000).optional(),
            })
            .optional(),
          outcomeTimestamp: z.iso.datetime({ offset: true }),
        })
        // CDS Hooks: suggestions are accepted with an accepted card, a reason given for an overridden one; an entry
        // with both contradicts itself, and storing it would report an outcome the clinician may not have chosen.
        .refine((f) => f.outcome === 'accepted' || (f.acceptedSuggestions ?? []).length === 0, {
          path: ['acceptedSuggestions'],
          message: 'only with outcome accepted',
        })
        // CDS Hooks 2.0: acceptedSuggestions is "required for accepted outcomes" (a card is accepted through its
        // suggestions; the client sends nothing for one without them): stored without, it would count an
        // acceptance of nothing the service suggested.
        .refine((f) => f.outcome !== 'accepted' || (f.acceptedSuggestions ?? []).length > 0, {
          path: ['acceptedSuggestions'],
          message: 'required with outcome accepted',
        })
        .refine((f) => f.outcome === 'overridden' || f.overrideReason === undefined, {
          path: ['overrideReason'],
          message: 'only with outcome overridden',
        }),
    )
    .min(1)
    .max(100),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequestSchema>;

export interface StoredFeedback {
  readonly id: number;
  readonly serviceId: string;
  readonly card: string;
  readonly outcome: 'accepted' | 'overridden';
  readonly acceptedSuggestions: readonly { id: string }[];
  readonly overrideReason?: { reason?: { system?: string; code: string; display?: string }; userComment?: string };
  readonly outcomeTimestamp: string;
  readonly receivedAt: string;
  readonly client?: string;
}

interface Row {
  id: number;
  service_id: string;
  card: string;
  outcome: 'accepted' | 'overridden';
  accepted_suggestions: string;
  override_reason: string | null;
  outcome_timestamp: string;
  received_at: string;
  client: string | null;
}

export class FeedbackStore {
  private readonly db: Database.Database;

  /** `dataDir` undefined: an in-memory database (tests, bench). */
  constructor(dataDir?: string) {
    if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
    this.db = new Database(dataDir === undefined ? ':memory:' : join(dataDir, 'cds-feedback.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS feedback (
      id INTEGER PRIMARY KEY,
      service_id TEXT NOT NULL,
      card TEXT NOT NULL,
      outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
      accepted_suggestions TEXT NOT NULL,
      override_reason TEXT,
      outcome_timestamp TEXT NOT NULL,
      received_at TEXT NOT NULL,
      client TEXT
    );
    DROP INDEX IF EXISTS feedback_by_service;
    CREATE INDEX IF NOT EXISTS feedback_by_client ON feedback (service_id, client, id);
    CREATE INDEX IF NOT EXISTS feedback_by_card ON feedback (service_id, card);`);
  }

  /**
   * Stores every entry of one request in one transaction: the ids of those stored, and how many were already stored.
   * An entry the same client already sent for the service (the same card, outcome, timestamp, suggestions and reason:
   * a client retrying a request whose answer it did not get) is not stored again, so it never counts twice. The
   * transaction is IMMEDIATE, so two server processes given the same retry cannot both find it new.
   */
  add(
    serviceId: string,
    request: FeedbackRequest,
    receivedAt: string,
    client?: string,
  ): { readonly ids: number[]; readonly alreadyStored: number } {
    const insert = this.db.prepare(
      `INSERT INTO feedback (service_id, card, outcome, accepted_suggestions, override_reason, outcome_timestamp, received_at, client)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const stored = this.db.prepare(
      `SELECT 1 FROM feedback WHERE service_id = ? AND card = ? AND outcome = ? AND accepted_suggestions = ?
       AND override_reason IS ? AND outcome_timestamp = ? AND client IS ? LIMIT 1`,
    );
    return this.db
      .transaction(() => {
        const ids: number[] = [];
        let alreadyStored = 0;
        for (const f of request.feedback) {
          const row = [
            serviceId,
            f.card,
            f.outcome,
            JSON.stringify(f.acceptedSuggestions ?? []),
            f.overrideReason === undefined ? null : JSON.stringify(f.overrideReason),
            f.outcomeTimestamp,
          ] as const;
          if (stored.get(...row, client ?? null) !== undefined) alreadyStored++;
          else ids.push(Number(insert.run(...row, receivedAt, client ?? null).lastInsertRowid));
        }
        return { ids, alreadyStored };
      })
      .immediate();
  }

  /** The entries `client` sent (undefined: those stored without a client, i.e. unauthenticated). */
  list(serviceId: string, client: string | undefined, limit = 100): StoredFeedback[] {
    const rows = this.db
      .prepare('SELECT * FROM feedback WHERE service_id = ? AND client IS ? ORDER BY id DESC LIMIT ?')
      .all(serviceId, client ?? null, limit) as Row[];
    return rows.map((r) => ({
      id: r.id,
      serviceId: r.service_id,
      card: r.card,
      outcome: r.outcome,
      acceptedSuggestions: JSON.parse(r.accepted_suggestions) as { id: string }[],
      ...(r.override_reason === null
        ? {}
        : { overrideReason: JSON.parse(r.override_reason) as StoredFeedback['overrideReason'] }),
      outcomeTimestamp: r.outcome_timestamp,
      receivedAt: r.received_at,
      ...(r.client === null ? {} : { client: r.client }),
    }));
  }

  close(): void {
    this.db.close();
  }
}
