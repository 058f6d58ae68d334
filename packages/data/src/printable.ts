/** Options of {@link printable}. */
export interface PrintableOptions {
  /** Cut the text to this many characters (an ellipsis marks the cut). Default 60. */
  readonly max?: number | undefined;
  /** Keep line breaks and tabs (multi-line messages such as a YAML parser's). Default false. */
  readonly keepLines?: boolean | undefined;
}

/**
 * Text from an input file as an error message shows it: invisible and control characters (a
 * byte-order mark inside the file, NUL, zero-width spaces, bidi controls, U+FFFD for undecodable
 * bytes) spelled as `\u{…}`, so the reader of the message sees what is in the file; cut to `max`.
 */
export function printable(text: string, options: PrintableOptions = {}): string {
  const max = options.max ?? 60;
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff0-\uffff]/gu, (c) =>
    options.keepLines && (c === '\n' || c === '\t') ? c : `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
}
