/**
 * The clinician web app: server-rendered HTML (docs/service.md says why), one page per patient, no client
 * framework. Demo patients come from examples/demo/index.json; an uploaded Bundle is assessed in memory and kept
 * for 30 minutes under a random token so its handout can be opened, then dropped (never written or logged;
 * upload-shelf.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InputError } from '../../engine/index.ts';
import { jsonSyntaxReason, utf8Text } from '../../record/index.ts';
import { mebibytes } from '../sizes.ts';
import type { ServerContext } from '../app.ts';
import { resolveAsOf, todayIso } from '../as-of.ts';
import { sendPage } from './layout.ts';
import { homePage, handoutPage, patientPage } from './pages.ts';
import type { DemoPatient } from './pages.ts';
import { timelineSvg } from './timeline.ts';
import { uploadShelf } from './upload-shelf.ts';
import type { UploadShelf } from './upload-shelf.ts';

/** examples/demo of this package, found relative to this file (src/server/web -> package root). */
export const DEFAULT_DEMO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'demo');

interface DemoIndex {
  readonly asOf: string;
  readonly patients: readonly DemoPatient[];
}

interface HumanName {
  readonly use?: unknown;
  readonly text?: unknown;
  readonly given?: unknown;
  readonly family?: unknown;
  readonly period?: { readonly end?: unknown };
}

/** FHIR HumanName.use in the order a name is preferred for the page; old and maiden names are never shown. */
const NAME_USES: readonly unknown[] = ['official', 'usual', undefined, 'temp', 'nickname', 'anonymous'];

/** A name as written: its text, else its given names and family. */
function nameText(name: HumanName): string {
  if (typeof name.text === 'string' && name.text.trim() !== '') return name.text.trim();
  const given = Array.isArray(name.given) ? name.given.filter((g): g is string => typeof g === 'string') : [];
  return [...given, typeof name.family === 'string' ? name.family : ''].join(' ').trim();
}

/**
 * The patient's name for the page's heading: the current official name, else the usual one, else another current
 * name (FHIR HumanName.use), as written (its text, or given and family names). EHRs send several: Epic a usual name
 * with text only before the official one, Cerner and Synthea a maiden name after it; a name whose period ended by
 * the as-of date, and an old or maiden name, is not the patient's name now.
 */
function patientName(bundle: unknown, asOf: string): string | undefined {
  const entries = (bundle as { entry?: { resource?: { resourceType?: string; name?: unknown } }[] }).entry;
  const names = entries?.find((e) => e.resource?.resourceType === 'Patient')?.resource?.name;
  const current = (Array.isArray(names) ? (names as HumanName[]) : [])
    .filter((n) => typeof n === 'object' && n !== null && NAME_USES.includes(n.use))
    .filter((n) => typeof n.period?.end !== 'string' || n.period.end.slice(0, 10) > asOf)
    .filter((n) => nameText(n) !== '')
    .sort((x, y) => NAME_USES.indexOf(x.use) - NAME_USES.indexOf(y.use));
  return current[0] === undefined ? undefined : nameText(current[0]);
}

/**
 * Why the upload form could not be read, for the page (never the content): the multipart reader's limits on files
 * and fields (src/server/app.ts) or a body that is not a well-formed form.
 */
function formRefusal(error: unknown): { message: string; status: number } {
  switch ((error as { code?: unknown }).code) {
    case 'FST_FILES_LIMIT':
      return { message: 'choose one file (one patient) per upload', status: 413 };
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return { message: 'the form has more fields than it should', status: 413 };
    default:
      return { message: 'the upload is not a well-formed form (multipart/form-data)', status: 400 };
  }
}

/**
 * A file over the size limit is cut there rather than thrown, so the rest of the form (the date) is still read.
 * @fastify/multipart reads this option in parts() although its type for parts() leaves it out.
 */
const KEEP_READING_AT_SIZE_LIMIT: Parameters<FastifyRequest['parts']>[0] & { throwFileSizeLimit: boolean } = {
  throwFileSizeLimit: false,
};

export function webRoutes(context: ServerContext, options: { demoDir?: string; shelf?: UploadShelf } = {}) {
  const demoDir = options.demoDir ?? DEFAULT_DEMO_DIR;
  const index = JSON.parse(readFileSync(join(demoDir, 'index.json'), 'utf8')) as DemoIndex;
  const demoBundles = new Map(
    index.patients.map((p) => [p.id, JSON.parse(readFileSync(join(demoDir, p.file), 'utf8')) as unknown]),
  );
  const shelf = options.shelf ?? uploadShelf();

  /** The home page: the upload form dated `asOf` (today unless the user entered another), with `error` when given. */
  const home = (error?: string, asOf?: string): string => {
    const today = todayIso(context.today());
    return homePage(index.patients, asOf ?? today, today, error);
  };

  const render = async (reply: FastifyReply, bundle: unknown, asOf: string, handoutHref: string, selfPath?: string) => {
    const record = context.engine.read(bundle);
    const both = context.engine.assessAndMatchRecord(record, { asOf });
    const assessment = both.assessment;
    const matches = both.matches();
    const chart = await timelineSvg(context.engine.knowledge, record, assessment);
    return sendPage(
      reply,
      patientPage(
        patientName(bundle, asOf) ?? 'Patient',
        assessment,
        context.engine.knowledge.citations,
        matches,
        chart,
        handoutHref,
        selfPath === undefined ? undefined : { path: selfPath, today: todayIso(context.today()) },
      ),
    );
  };

  /** An unknown or expired token is not found (404): the form again, with the reason. */
  const expired = (reply: FastifyReply) =>
    sendPage(
      reply,
      home(
        'This upload is not held (uploads are kept for up to 30 minutes, less when the server holds many): upload the file again.',
      ),
      404,
    );

  return async function routes(app: FastifyInstance): Promise<void> {
    // Pages answer bad input with the home page and the one-line reason (never the input), not with JSON.
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof InputError) {
        return sendPage(reply, home(error.message), 400);
      }
      throw error;
    });
    app.get('/', { schema: { hide: true } }, async (_request, reply) => sendPage(reply, home()));

    app.get<{ Params: { id: string }; Querystring: { asOf?: string } }>(
      '/patients/:id',
      { schema: { hide: true } },
      async (request, reply) => {
        const bundle = demoBundles.get(request.params.id);
        if (bundle === undefined) return sendPage(reply, home('No such demo patient.'), 404);
        const asOf = resolveAsOf(request.query.asOf ?? index.asOf, context.today());
        const path = `/patients/${request.params.id}`;
        return render(reply, bundle, asOf, `${path}/handout?asOf=${asOf}`, path);
      },
    );

    app.get<{ Params: { id: string }; Querystring: { asOf?: string } }>(
      '/patients/:id/handout',
      { schema: { hide: true } },
      async (request, reply) => {
        const bundle = demoBundles.get(request.params.id);
        if (bundle === undefined) return sendPage(reply, home('No such demo patient.'), 404);
        const asOf = resolveAsOf(request.query.asOf ?? index.asOf, context.today());
        return sendPage(
          reply,
          handoutPage(
            patientName(bundle, asOf),
            context.engine.assess(bundle, { asOf }),
            `/patients/${request.params.id}?asOf=${asOf}`,
          ),
        );
      },
    );

    // A refused upload's form is shown at /upload: going back to it in the browser's history (or reloading it from
    // the address bar) asks for it with GET, which brings the user back to the form, not to a 405 page.
    app.get('/upload', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/', 303));

    app.post('/upload', { schema: { hide: true } }, async (request, reply) => {
      let bundle: unknown;
      let bundleBytes = 0;
      let asOfField: string | undefined;
      // The form is shown again with the message and the date the user entered (a browser cannot refill a file).
      const refused = (message: string, status: number) =>
        sendPage(reply, home(`Could not assess the upload: ${message}`, asOfField), status);
      // A problem with the file is kept until every field is read, so the form comes back with the date entered.
      let fileProblem: { message: string; status: number } | undefined;
      try {
        try {
          for await (const part of request.parts(KEEP_READING_AT_SIZE_LIMIT)) {
            if (part.type === 'file') {
              const bytes = await part.toBuffer();
              // JSON is UTF-8: bytes that are not would be read as U+FFFD, a file other than the one chosen. Read as
              // the REST API reads a body (a byte order mark dropped), so a file the API takes is taken here too.
              const text = part.file.truncated ? undefined : utf8Text(bytes);
              if (part.file.truncated)
                fileProblem = {
                  message: `the file is larger than this server accepts (${mebibytes(app.initialConfig.bodyLimit ?? 0)} MiB)`,
                  status: 413,
                };
              else if (text === undefined) fileProblem = { message: 'the file is not UTF-8 text', status: 400 };
              // No file chosen: a browser sends an empty part with no name (the "choose a file" reason below).
              else if (text === '' && part.filename === '') continue;
              // Nothing to parse: "not JSON (unexpected end of input)" would send the user looking for a cut.
              else if (text === '') fileProblem = { message: 'the file is empty', status: 400 };
              else {
                try {
                  bundle = JSON.parse(text);
                  bundleBytes = bytes.length;
                } catch (error) {
                  // Where and how it breaks (a file cut short, an NDJSON export's second line), never its text.
                  const why = jsonSyntaxReason((error as Error).message);
                  fileProblem = { message: `the file is not JSON (${why})`, status: 400 };
                }
              }
            } else if (part.fieldname === 'asOf' && typeof part.value === 'string') {
              asOfField = part.value;
            }
          }
        } catch (error) {
          if (error instanceof TypeError) throw error;
          const refusal = formRefusal(error);
          return refused(refusal.message, refusal.status);
        }
        if (fileProblem !== undefined) return refused(fileProblem.message, fileProblem.status);
        if (bundle === undefined) throw new InputError('choose a FHIR Bundle file to upload');
        // The form's date field left empty (the browser requires it; a script may not): today, as for no field.
        const asOf = resolveAsOf(asOfField === '' ? undefined : asOfField, context.today());
        context.engine.assess(bundle, { asOf }); // bad input fails here, before anything is held
        return reply.redirect(`/uploads/${await shelf.hold({ bundle, asOf, bytes: bundleBytes })}`, 303);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        return refused(error.message, 400);
      }
    });

    app.get<{ Params: { token: string } }>('/uploads/:token', { schema: { hide: true } }, async (request, reply) => {
      const h = await shelf.find(request.params.token);
      if (h === undefined) return expired(reply);
      return render(reply, h.bundle, h.asOf, `/uploads/${request.params.token}/handout`);
    });

    app.get<{ Params: { token: string } }>(
      '/uploads/:token/handout',
      { schema: { hide: true } },
      async (request, reply) => {
        const h = await shelf.find(request.params.token);
        if (h === undefined) return expired(reply);
        return sendPage(
          reply,
          handoutPage(
            patientName(h.bundle, h.asOf),
            context.engine.assess(h.bundle, { asOf: h.asOf }),
            `/uploads/${request.params.token}`,
          ),
        );
      },
    );
  };
}
