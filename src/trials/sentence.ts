/** Code-set titles inside sentences: "No current non-steroidal anti-inflammatory drugs", but "HIV disease" kept. */
export function inSentence(title: string): string {
  const second = title.charAt(1);
  return second !== '' && second === second.toUpperCase() && second !== second.toLowerCase()
    ? title
    : title.charAt(0).toLowerCase() + title.slice(1);
}
