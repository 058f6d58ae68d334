/**
 * Lenient parsing of an LLM's answer into labels per candidate local index. Models wrap JSON in code
 * fences, add prose, use single quotes, leave trailing commas or stop mid-array; the authors' pipeline
 * (method.md §6) repaired JSON and fell back to a regex. Steps, first success wins:
 * 1. strict `JSON.parse` of the outermost JSON value found in the text (code fences stripped);
 * 2. repair: single → double quotes, unquoted keys quoted, trailing commas removed, a truncated
 *    value cut back to its last complete element and its open brackets closed;
 * 3. a regex over `index … label` (or `label … index`) pairs.
 * Entries are validated with zod; index keys `index`, `item_id`, `id`, `candidate`, `idx` are
 * accepted. A label meaning no (`negative`, `not …`, `no`, `false`) is negative; one containing
 * `positive` (or `yes`, `true`) is positive; anything else is ignored. Indices outside
 * `[0, nCandidates)` are ignored (counted in `ignored`); the first judgment of an index wins.
 */
import { z } from 'zod';
import type { JudgeLabel } from '@dtl/core';

/** Result of {@link parseJudgments}. */
export interface ParsedJudgments {
  readonly labels: Array<JudgeLabel | null>;
  /** How the labels were obtained. */
  readonly method: 'json' | 'repaired' | 'regex' | 'none';
  /** Judgments dropped because their index was not a candidate (or was a duplicate). */
  readonly ignored: number;
}

const entrySchema = z
  .object({
    index: z.union([z.number(), z.string()]).optional(),
    item_id: z.union([z.number(), z.string()]).optional(),
    id: z.union([z.number(), z.string()]).optional(),
    candidate: z.union([z.number(), z.string()]).optional(),
    idx: z.union([z.number(), z.string()]).optional(),
    label: z.union([z.string(), z.boolean()]).optional(),
    judgment: z.union([z.string(), z.boolean()]).optional(),
    answer: z.union([z.string(), z.boolean()]).optional(),
  })
  .loose();

/** Maps free-form label text to a label (see module comment); null when it means neither. */
export function normalizeLabel(value: unknown): JudgeLabel | null {
  if (typeof value === 'boolean') return value ? 'positive' : 'negative';
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  if (/neg|\bnot\b|^no\b|false/.test(v)) return 'negative';
  if (/pos|^yes\b|true/.test(v)) return 'positive';
  return null;
}

function toIndex(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.replace(/^\s*#?\[?|\]?\s*$/g, '')) : NaN;
  return Number.isInteger(n) ? n : null;
}

/** Collects (index, label) pairs from any of the accepted JSON shapes. */
function entriesOf(value: unknown): Array<[number, JudgeLabel]> | null {
  let list: unknown = value;
  if (list && typeof list === 'object' && !Array.isArray(list)) {
    const obj = list as Record<string, unknown>;
    const arrayKey = ['judgments', 'results', 'labels', 'items', 'candidates', 'answers'].find((k) => Array.isArray(obj[k]));
    if (arrayKey) list = obj[arrayKey];
    else {
      // {"0": "positive", "1": "negative"} — an index → label map.
      const pairs: Array<[number, JudgeLabel]> = [];
      for (const [k, v] of Object.entries(obj)) {
        const i = toIndex(k);
        const l = normalizeLabel(v);
        if (i !== null && l !== null) pairs.push([i, l]);
      }
      if (pairs.length > 0) return pairs;
      list = [obj];
    }
  }
  if (!Array.isArray(list)) return null;
  const out: Array<[number, JudgeLabel]> = [];
  for (const raw of list) {
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) continue;
    const e = parsed.data;
    const i = toIndex(e.index ?? e.item_id ?? e.id ?? e.candidate ?? e.idx);
    const l = normalizeLabel(e.label ?? e.judgment ?? e.answer);
    if (i !== null && l !== null) out.push([i, l]);
  }
  return out;
}

function stripFences(text: string): string {
  const fenced = /```(?:json|JSON)?\s*([\s\S]*?)(?:```|$)/.exec(text);
  return fenced?.[1] !== undefined && fenced[1].trim() !== '' ? fenced[1] : text;
}

/** The outermost JSON-looking value: from the first `{`/`[` to its matching close (or the end). */
function extractJson(text: string): string | null {
  const start = text.search(/[[{]/);
  if (start < 0) return null;
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return text.slice(start);
}

/** Closes a truncated JSON text: cuts after the last complete element and closes open brackets. */
function closeTruncated(text: string): string {
  const stack: string[] = [];
  let quote = false;
  let lastSafe = -1;
  let safeStack: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === '"') quote = false;
      continue;
    }
    if (ch === '"') quote = true;
    else if (ch === '{' || ch === '[') stack.push(ch === '{' ? '}' : ']');
    else if (ch === '}' || ch === ']') {
      stack.pop();
      lastSafe = i;
      safeStack = [...stack];
    }
  }
  if (stack.length === 0 && !quote) return text;
  if (lastSafe < 0) return text;
  return text.slice(0, lastSafe + 1) + safeStack.reverse().join('');
}

function repair(text: string): string {
  let t = text.replace(/[\u201c\u201d]/g, '"').replace(/[\u2018\u2019]/g, "'");
  // Single-quoted strings → double-quoted (labels and keys never contain quotes).
  t = t.replace(/'([^'"\\\n]*)'/g, '"$1"');
  // Unquoted keys.
  t = t.replace(/([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:/g, '$1"$2":');
  t = closeTruncated(t);
  // Trailing commas, also those created by truncation.
  t = t.replace(/,\s*([}\]])/g, '$1');
  return t;
}

const REGEX_INDEX_FIRST =
  /(?:index|item_id|id|candidate|idx)["'\s]*[:=]\s*["'#[]*(\d+)[^{}[\]\d]*?(?:label|judgment|answer)["'\s]*[:=]\s*["']?([A-Za-z][A-Za-z _-]*)/gi;
const REGEX_LABEL_FIRST =
  /(?:label|judgment|answer)["'\s]*[:=]\s*["']?([A-Za-z][A-Za-z _-]*)["']?[^{}[\]]*?(?:index|item_id|id|candidate|idx)["'\s]*[:=]\s*["'#[]*(\d+)/gi;
const REGEX_BRACKET = /\[(\d+)\]\s*[:=-]?\s*["']?(positive|negative)/gi;

/**
 * Parses an LLM answer into one label (or null) per candidate local index; never throws. See the
 * module comment for the accepted shapes and the repair steps.
 */
export function parseJudgments(raw: string, nCandidates: number): ParsedJudgments {
  const labels: Array<JudgeLabel | null> = new Array<JudgeLabel | null>(nCandidates).fill(null);
  let ignored = 0;
  const apply = (pairs: Array<[number, JudgeLabel]>): number => {
    let used = 0;
    for (const [i, l] of pairs) {
      if (i < 0 || i >= nCandidates || labels[i] !== null) {
        ignored++;
        continue;
      }
      labels[i] = l;
      used++;
    }
    return used;
  };
  const body = extractJson(stripFences(raw));
  if (body !== null) {
    for (const [method, text] of [
      ['json', body],
      ['repaired', repair(body)],
    ] as const) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      const pairs = entriesOf(value);
      if (pairs && pairs.length > 0) {
        apply(pairs);
        return { labels, method, ignored };
      }
    }
  }
  const pairs: Array<[number, JudgeLabel]> = [];
  for (const m of raw.matchAll(REGEX_INDEX_FIRST)) {
    const l = normalizeLabel(m[2]);
    if (l) pairs.push([Number(m[1]), l]);
  }
  if (pairs.length === 0) {
    for (const m of raw.matchAll(REGEX_LABEL_FIRST)) {
      const l = normalizeLabel(m[1]);
      if (l) pairs.push([Number(m[2]), l]);
    }
  }
  if (pairs.length === 0) {
    for (const m of raw.matchAll(REGEX_BRACKET)) {
      const l = normalizeLabel(m[2]);
      if (l) pairs.push([Number(m[1]), l]);
    }
  }
  if (pairs.length > 0) {
    apply(pairs);
    return { labels, method: 'regex', ignored };
  }
  return { labels, method: 'none', ignored };
}
