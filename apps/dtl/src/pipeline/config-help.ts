import { z } from 'zod';
import { pipelineConfigSchema } from './config.ts';

const WIDTH = 100;
const INDENT = ' '.repeat(18);

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    else return s;
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `key (default)` for every key of an object schema; `key?` when it has no default. */
function keyList(shape: Record<string, z.ZodType>): string[] {
  return Object.entries(shape).map(([key, field]) => {
    const d = field.safeParse(undefined);
    const inner = unwrap(field);
    // Choices of an enum, and the forms of a string whose description lists them (judge.llm).
    const choices = inner instanceof z.ZodEnum ? (inner.options as string[]).join('|') : inner instanceof z.ZodString && (field.description ?? '').includes(' | ') ? field.description!.replace(/ \| /g, '|') : '';
    const dflt = d.success && d.data !== undefined ? show(d.data) : '';
    if (!dflt && !choices) return `${key}?`;
    return `${key}${dflt ? '' : '?'} (${[dflt, choices].filter(Boolean).join('; ')})`;
  });
}

function wrap(head: string, words: string[]): string[] {
  const lines: string[] = [];
  let line = head.padEnd(INDENT.length);
  for (const w of words) {
    if (line.trim() !== '' && line.length + w.length + 1 > WIDTH && line.length > INDENT.length) {
      lines.push(line.trimEnd());
      line = INDENT;
    }
    line += (line.length > INDENT.length ? ' ' : '') + w;
  }
  lines.push(line.trimEnd());
  return lines;
}

/**
 * The config part of `dtl run --help`, from the schema itself: every section with its keys and
 * defaults, and each top-level key's description, so the help cannot drift from what is accepted.
 */
export function pipelineConfigHelp(): string {
  const out = ['', 'Config file (JSON or YAML; every key optional — no config runs the embedded synthetic demo):'];
  for (const [key, field] of Object.entries(pipelineConfigSchema.shape) as Array<[string, z.ZodType]>) {
    const inner = unwrap(field);
    const description = field.description ?? inner.description;
    const object = inner instanceof z.ZodObject ? inner : inner instanceof z.ZodUnion ? (inner.options as z.ZodType[]).find((o) => o instanceof z.ZodObject) : undefined;
    if (object instanceof z.ZodObject) {
      if (description) out.push(...wrap(`  ${key}`, description.split(' ')));
      out.push(...wrap(description ? '' : `  ${key}`, ['{', ...keyList(object.shape as Record<string, z.ZodType>), '}']));
    } else {
      const d = field.safeParse(undefined);
      const choices = inner instanceof z.ZodEnum ? ` ${(inner.options as string[]).join(' | ')}:` : '';
      const dflt = d.success && d.data !== undefined ? ` (default ${show(d.data)})` : '';
      out.push(...wrap(`  ${key}`, `${choices} ${description ?? ''}${dflt}`.trim().split(' ')));
    }
  }
  return out.join('\n') + '\n';
}
