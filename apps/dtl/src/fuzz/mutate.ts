// Test-only: seeded mutations of valid input files for the fuzz suite (issue 16). Never imported by
// app code. Every mutation is a pure function of (input, rng), so a failing case is replayed from
// its seed and case number alone.
import type { Rng } from '@dtl/core';

/** One mutation: a name (counted in the suite's report) and the bytes it makes. */
export interface Mutation {
  readonly name: string;
  apply(input: Buffer, rng: Rng): Buffer;
}

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Token boundaries of a text (runs of characters other than whitespace and separators). */
function tokens(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = /[^\s:,\-{}[\]]+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push([m.index, m.index + m[0].length]);
  return out;
}

function replaceToken(input: Buffer, rng: Rng, make: (old: string) => string): Buffer {
  const text = input.toString('utf8');
  const t = tokens(text);
  if (t.length === 0) return input;
  const [a, b] = t[rng.int(t.length)]!;
  return enc(text.slice(0, a) + make(text.slice(a, b)) + text.slice(b));
}

function lines(input: Buffer): string[] {
  return input.toString('utf8').split('\n');
}

const HUGE = ['2147483648', '4294967296', '99999999999999999999', '1e308', '1e400', '9007199254740993', '1999999999', '50000000', '-0', '00000000000000000001'];
const NON_NUMERIC = ['abc', 'NaN', 'Infinity', '-Infinity', '0x1f', '1,5', '١٢', 'null', '""', '\u00a0', '\u200b7', '7\u0000', '½', 'true', '~', '&a', '*a', '!!binary'];

/** The mutation catalogue of the issue: bytes, lines, numbers, encodings, emptiness, garbage. */
export const MUTATIONS: readonly Mutation[] = [
  { name: 'byte-flip', apply: (b, r) => { if (b.length === 0) return b; const c = Buffer.from(b); const i = r.int(c.length); c[i] = c[i]! ^ (1 << r.int(8)); return c; } },
  { name: 'byte-set', apply: (b, r) => { if (b.length === 0) return b; const c = Buffer.from(b); c[r.int(c.length)] = r.int(256); return c; } },
  { name: 'truncate', apply: (b, r) => b.subarray(0, r.int(b.length + 1)) },
  { name: 'delete-line', apply: (b, r) => { const l = lines(b); l.splice(r.int(l.length), 1); return enc(l.join('\n')); } },
  { name: 'duplicate-line', apply: (b, r) => { const l = lines(b); const i = r.int(l.length); l.splice(i, 0, l[i]!); return enc(l.join('\n')); } },
  { name: 'swap-lines', apply: (b, r) => { const l = lines(b); const i = r.int(l.length); const j = r.int(l.length); [l[i], l[j]] = [l[j]!, l[i]!]; return enc(l.join('\n')); } },
  { name: 'huge-number', apply: (b, r) => replaceToken(b, r, () => HUGE[r.int(HUGE.length)]!) },
  { name: 'negative', apply: (b, r) => replaceToken(b, r, (t) => `-${t}`) },
  { name: 'float', apply: (b, r) => replaceToken(b, r, (t) => `${t}.5`) },
  { name: 'non-numeric', apply: (b, r) => replaceToken(b, r, () => NON_NUMERIC[r.int(NON_NUMERIC.length)]!) },
  { name: 'bom', apply: (b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]) },
  { name: 'bom-utf16', apply: (b) => Buffer.concat([Buffer.from([0xff, 0xfe]), b]) },
  { name: 'crlf', apply: (b) => enc(b.toString('utf8').replace(/\n/g, '\r\n')) },
  { name: 'cr-only', apply: (b) => enc(b.toString('utf8').replace(/\n/g, '\r')) },
  { name: 'tabs', apply: (b) => enc(b.toString('utf8').replace(/ /g, '\t')) },
  { name: 'empty', apply: () => Buffer.alloc(0) },
  { name: 'whitespace-only', apply: () => enc(' \n\t\n\r\n') },
  { name: 'binary-garbage', apply: (b, r) => { const g = Buffer.alloc(1 + r.int(64)); for (let i = 0; i < g.length; i++) g[i] = r.int(256); const at = r.int(b.length + 1); return Buffer.concat([b.subarray(0, at), g, b.subarray(at)]); } },
  { name: 'all-garbage', apply: (_b, r) => { const g = Buffer.alloc(1 + r.int(512)); for (let i = 0; i < g.length; i++) g[i] = r.int(256); return g; } },
  { name: 'nul-bytes', apply: (b, r) => { const at = r.int(b.length + 1); return Buffer.concat([b.subarray(0, at), Buffer.alloc(1 + r.int(8)), b.subarray(at)]); } },
  { name: 'zero-range', apply: (b, r) => { const c = Buffer.from(b); const at = r.int(c.length + 1); c.fill(0, at, Math.min(c.length, at + 1 + r.int(64))); return c; } },
  { name: 'long-line', apply: (b, r) => { const l = lines(b); l.splice(r.int(l.length + 1), 0, Array.from({ length: 2000 }, (_, k) => String(k % 97)).join(' ')); return enc(l.join('\n')); } },
  { name: 'append-garbage', apply: (b, r) => Buffer.concat([b, enc(['\n}}}', '\n- - -', '\n\u0000\u0001', '\n' + '['.repeat(200), ': : :'][r.int(5)]!)]) },
];

/** Applies 1–3 random mutations; returns the result and the names applied (for the report and replay). */
export function mutate(input: Buffer, rng: Rng): { bytes: Buffer; applied: string[] } {
  let bytes = input;
  const applied: string[] = [];
  const n = 1 + rng.int(3);
  for (let k = 0; k < n; k++) {
    const m = MUTATIONS[rng.int(MUTATIONS.length)]!;
    bytes = m.apply(bytes, rng);
    applied.push(m.name);
  }
  return { bytes, applied };
}

/** Per-target tallies printed by the suite (and quoted in docs/reliability.md). */
export class FuzzTally {
  readonly outcomes = new Map<string, number>();
  cases = 0;
  maxCaseMs = 0;
  constructor(readonly target: string) {}
  count(outcome: string, ms: number): void {
    this.cases++;
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (ms > this.maxCaseMs) this.maxCaseMs = ms;
  }
  line(): string {
    const parts = [...this.outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`);
    return `fuzz ${this.target}: ${this.cases} cases — ${parts.join(', ')}; slowest case ${this.maxCaseMs.toFixed(0)} ms`;
  }
}
