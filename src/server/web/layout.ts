/**
 * The page shell every server-rendered page shares (the clinician app and any feature that adds pages): language,
 * viewport for 360 px screens, one stylesheet, a skip link, a header with navigation and a main landmark.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { html, raw } from './html.ts';
import type { Html } from './html.ts';

export interface PageOptions {
  /** Navigation links shown in the header, e.g. [{ href: '/', label: 'Patients' }]. */
  readonly nav?: readonly { readonly href: string; readonly label: string }[];
  /** The path of the page shown: its navigation link, if it has one, is marked `aria-current="page"`. */
  readonly current?: string;
  /** Markup after the navigation in the header (trusted), e.g. the trial pages' Sign out form. */
  readonly headerEnd?: Html;
  /** Extra <head> markup (trusted). */
  readonly head?: Html;
  /** Body class, e.g. "handout" for the printable handout. */
  readonly bodyClass?: string;
}

export const APP_NAME = 'precision-trd';

/** Colours chosen for at least 4.5:1 contrast on white (WCAG AA for body text). */
const STYLE = `
:root{--fg:#1b1b1b;--muted:#4a4a4a;--accent:#0b5394;--crit-bg:#fde7e9;--crit:#8a1020;--warn-bg:#fff4d6;--warn:#6b4a00;--ok-bg:#e6f4ea;--ok:#135c2b;--line:#c8c8c8}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#fff}
a{color:var(--accent)}
/* Focus rings at least 3:1 against what surrounds them (WCAG 1.4.11): near-black on the white page, amber on the
   dark header. */
a:focus,button:focus,input:focus,select:focus,summary:focus,[tabindex]:focus{outline:3px solid #1b1b1b;outline-offset:2px}
header.site a:focus{outline-color:#f4b400}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px}
header.site{background:#0b3d6b;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
header.site a{color:#fff}
header.site form{margin:0 0 0 auto}header.site button{border:1px solid #fff}
header.site a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
header.site .name{font-weight:700;font-size:1.1rem}
header.site nav ul{list-style:none;margin:0;padding:0;display:flex;gap:1rem;flex-wrap:wrap}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.alert{border-left:6px solid;padding:.75rem 1rem;margin:1rem 0;border-radius:4px}
.alert.critical{background:var(--crit-bg);border-color:var(--crit)}
.alert.warning{background:var(--warn-bg);border-color:var(--warn)}
.alert.info{background:#e8f0fe;border-color:var(--accent)}
.alert.ok{background:var(--ok-bg);border-color:var(--ok)}
.alert h2,.alert h3{margin-top:0}
.tag{display:inline-block;font-size:.85rem;padding:0 .4rem;border-radius:3px;border:1px solid var(--muted)}
ul.checklist{list-style:none;padding-left:0}
ul.checklist li{padding:.25rem 0 .25rem 1.8rem;position:relative}
ul.checklist li::before{position:absolute;left:0;font-weight:700}
ul.checklist li.blocker::before{content:"\\2716";color:var(--crit)}
ul.checklist li.caution::before{content:"!";color:var(--warn)}
ul.checklist li.todo::before{content:"\\2610";color:var(--fg)}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
/* A cell of running text (a lab's assessment with its rules and sources) keeps a readable measure: squeezed to the
   width of a 360 px screen's share it became a column of a dozen characters a line, hundreds of pixels tall. */
td.prose{min-width:16rem}
/* A date (<time>) stays on one line: in a narrow column at 360 px "2026-11-27" broke at its hyphens. */
time{white-space:nowrap}
/* A code in a table (participant, site, kit) likewise: "site-a" broke at its hyphen into "site-" over "a". */
td.code{white-space:nowrap}
.status-met{color:var(--ok)}.status-not-met{color:var(--crit)}.status-unknown{color:var(--warn)}
/* No browser default figure margin (40px a side): at 360 px it took a quarter of the width the chart scrolls in. */
.chart{overflow-x:auto;max-width:100%;margin:1rem 0}
.chart svg{max-width:100%;height:auto}
/* On a narrow screen the chart keeps its size and scrolls inside its figure, so its labels stay legible. */
@media (max-width:600px){.chart svg{max-width:none}}
.muted{color:var(--muted)}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
label{display:block;font-weight:600}
input,select,button,textarea{font:inherit;padding:.4rem .6rem}
/* A file input's own width (about 380 px in Chromium), a textarea's columns or a select's longest option would widen the
   page past a 360 px screen. */
form.inline>div,form.inline>label{max-width:100%}input,select,textarea{max-width:100%}
button{background:var(--accent);color:#fff;border:0;border-radius:4px;cursor:pointer}
ul.patients{padding-left:1.2rem}ul.patients li{margin:.4rem 0}
/* !important: a rule such as form.inline{display:flex} is more specific than .no-print and would print the form. */
@media print{header.site,nav,.no-print{display:none!important}main{max-width:none;padding:0}body{font-size:12pt}}
/* Printed, a folded section (trial criteria, the chart's table, the trace) is shown: paper cannot be unfolded. A rule
   of its own: a browser that does not know ::details-content drops only this rule. */
@media print{details::details-content{content-visibility:visible}}
body.handout main{max-width:42rem}
`;

/** The only script of any page: the handout's Print button (pages work without JavaScript). */
const PRINT_SCRIPT = `document.getElementById('print-button').addEventListener('click',()=>window.print())`;

/** A Print button for a printable page. A plain string: the script must stay byte for byte what its hash allows. */
export const printButton = raw(
  `<button type="button" id="print-button">Print</button><script>${PRINT_SCRIPT}</script>`,
);

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * The response headers of every page built with page(): the content security policy allows this stylesheet and the
 * print script by their hashes and nothing else (no other script, no inline handler, no remote resource, no framing),
 * and the page address (an upload's token) is never sent as a referrer.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'none'",
    `style-src ${sha256(STYLE)}`,
    `script-src ${sha256(PRINT_SCRIPT)}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Sends a page built with page(): HTML, never cached (it may show a patient), with PAGE_HEADERS. */
export function sendPage(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .headers(PAGE_HEADERS)
    .send(body);
}

export function page(title: string, body: Html, options: PageOptions = {}): string {
  const nav = options.nav ?? [
    { href: '/', label: 'Patients' },
    { href: '/docs', label: 'API' },
  ];
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${APP_NAME}</title>
<style>${raw(STYLE)}</style>
${options.head}
</head>
<body${options.bodyClass === undefined ? '' : html` class="${options.bodyClass}"`}>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><span class="name">${APP_NAME}</span>
<nav aria-label="Main"><ul>${nav.map(
    (n) =>
      html`<li><a href="${n.href}" ${n.href === options.current ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
  )}</ul></nav>${options.headerEnd ?? ''}
</header>
<main id="main">
${body}
</main>
</body>
</html>`.value;
}
