/**
 * A citation as the server's pages show it: its key with what it cites (knowledge/citations.json or a trial
 * protocol's own), title and section, [U] when the source is unverified; linked to the source's web address when it
 * has one (the DOI's, else its first address: citationUrl, as the CDS cards link it).
 */
import type { Citation } from '../../knowledge/schema-codesets.ts';
import { citationUrl } from '../cds-hooks/cards.ts';
import { html } from './html.ts';
import type { Html } from './html.ts';

/** "key: title, section 5.2 [U]"; the key alone when no citation holds it (the CTCAE table cites itself). */
export function citationText(key: string, c: Citation | undefined): string {
  return c === undefined ? key : `${key}: ${c.title}, section ${c.section}${c.tag === 'U' ? ' [U]' : ''}`;
}

/** citationText, a link to the source when it has a web address. */
export function citationLink(key: string, c: Citation | undefined): Html {
  const url = c === undefined ? undefined : citationUrl(c.source);
  const text = citationText(key, c);
  return url === undefined ? html`${text}` : html`<a href="${url}">${text}</a>`;
}
