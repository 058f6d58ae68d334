// Test-only helpers (imported by *.test.ts, never by library code).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DtlError } from '@dtl/core';
import type { DtlErrorCode } from '@dtl/core';

const made: string[] = [];

/** A fresh temp folder holding `files` (relative path → contents). */
export function tempFiles(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'dtl-data-test-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Removes every folder made by {@link tempFiles} (call in afterAll). */
export function cleanTempFiles(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs `fn`, expecting a DtlError with `code` whose message starts with `where` (e.g. `file:3`). */
export function catchDtl(fn: () => unknown, code: DtlErrorCode = 'INVALID_DATA'): DtlError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DtlError && error.code === code) return error;
    throw new Error(`expected DtlError ${code}, got ${String(error)}`);
  }
  throw new Error(`expected DtlError ${code}, nothing was thrown`);
}
