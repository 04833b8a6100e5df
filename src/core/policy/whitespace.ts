/** Whitespace runs other than a lone space (a space is already what a run becomes). */
const SPACE_RUNS = /\s{2,}|[^\S ]/g;

/**
 * Every run of whitespace (`\s`) as one space: the same string as `text.replace(/\s+/g, ' ')`,
 * but a lone space (most of them, between words) is left where it is instead of replaced, which
 * makes it several times faster on long mail bodies (issue 14).
 */
export function collapseWhitespace(text: string): string {
  return text.replace(SPACE_RUNS, ' ');
}
