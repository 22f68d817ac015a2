const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes read as UTF-8 text, or undefined when they are not UTF-8 (never decoded with replacement characters). A byte
 * order mark at the start is dropped, as RFC 8259 lets a JSON reader do: Windows tools write one, and JSON.parse
 * would refuse the file for it. The one reading of a JSON body, of an uploaded file and of a `trd` input file.
 */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}
