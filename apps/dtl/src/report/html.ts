/**
 * Tiny HTML building blocks for the report. Every dynamic string goes through {@link esc}; markup
 * that is already safe (our own tags, vega's SVG) is wrapped in {@link SafeHtml} so it is never
 * escaped twice and never mistaken for text.
 */

/** Markup that is already safe to insert as-is. */
export interface SafeHtml {
  readonly __html: string;
}

/** Marks trusted markup (our own tags or vega's SVG output). */
export function raw(html: string): SafeHtml {
  return { __html: html };
}

function isSafe(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && typeof (value as SafeHtml).__html === 'string';
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values (& < > " '). */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A cell or fragment: text (escaped), a number (formatted), or trusted markup. */
export type Fragment = string | number | SafeHtml | undefined | null;

/** Renders a fragment: SafeHtml as-is, numbers with {@link fmt}, anything else escaped. */
export function frag(value: Fragment): string {
  if (isSafe(value)) return value.__html;
  if (typeof value === 'number') return esc(fmt(value));
  return esc(value ?? '');
}

/** Joins fragments into one SafeHtml. */
export function concat(...parts: Fragment[]): SafeHtml {
  return raw(parts.map(frag).join(''));
}

/** `<tag class="…">…</tag>` with escaped class and fragment content. */
export function el(tag: string, cls: string | undefined, ...children: Fragment[]): SafeHtml {
  const attr = cls ? ` class="${esc(cls)}"` : '';
  return raw(`<${tag}${attr}>${children.map(frag).join('')}</${tag}>`);
}

/**
 * A number for a table: integers with thousands separators, others with 4 significant decimals
 * (small values in exponent form); non-finite or missing → "—".
 */
export function fmt(value: unknown, digits = 4): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(2);
  return value.toFixed(digits);
}

/** Seconds as "0.42 s", "12.3 s", "4 min 05 s". */
export function fmtSeconds(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (value < 10) return `${value.toFixed(2)} s`;
  if (value < 120) return `${value.toFixed(1)} s`;
  const m = Math.floor(value / 60);
  return `${m} min ${String(Math.round(value - 60 * m)).padStart(2, '0')} s`;
}

export interface TableOptions {
  readonly cls?: string;
  /** Per-row class (e.g. "leaky-row"). */
  readonly rowClass?: (index: number) => string | undefined;
  /** Treat the first column as a row header (`<th scope="row">`). */
  readonly rowHeaders?: boolean;
}

/** A table; header and cells are fragments (text escaped). */
export function table(headers: readonly Fragment[], rows: readonly (readonly Fragment[])[], options: TableOptions = {}): SafeHtml {
  const head = headers.length ? `<thead><tr>${headers.map((h) => `<th scope="col">${frag(h)}</th>`).join('')}</tr></thead>` : '';
  const body = rows
    .map((row, r) => {
      const rc = options.rowClass?.(r);
      const cells = row
        .map((c, k) => {
          const numeric = typeof c === 'number' ? ' class="num"' : '';
          return k === 0 && options.rowHeaders ? `<th scope="row">${frag(c)}</th>` : `<td${numeric}>${frag(c)}</td>`;
        })
        .join('');
      return `<tr${rc ? ` class="${esc(rc)}"` : ''}>${cells}</tr>`;
    })
    .join('');
  return raw(`<table${options.cls ? ` class="${esc(options.cls)}"` : ''}>${head}<tbody>${body}</tbody></table>`);
}
