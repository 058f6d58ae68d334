import { existsSync, readFileSync } from 'node:fs';
import { DtlError } from '@dtl/core';

/**
 * Reads a JSON object file of a run directory: `NOT_FOUND` naming the file (and `what` it should be)
 * when it is missing, `INVALID_DATA` naming the file (with `hint`, what to do) when it is not a JSON object.
 */
export function readJsonObject(file: string, what: string, hint = ''): Record<string, unknown> {
  if (!existsSync(file)) throw new DtlError('NOT_FOUND', `${file} not found: ${what}`, { location: { file } });
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new DtlError('INVALID_DATA', `not valid JSON (${(cause as Error).message})${hint ? `; ${hint}` : ''}`, { location: { file }, cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DtlError('INVALID_DATA', `expected a JSON object (${what})`, { location: { file } });
  }
  return value as Record<string, unknown>;
}
