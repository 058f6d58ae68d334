import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DtlError } from '@dtl/core';

/** Reads a whole UTF-8 file; a missing file is NOT_FOUND, anything else IO_ERROR (both name the file). */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DtlError('NOT_FOUND', 'file not found', { location: { file: path }, cause: error });
    throw new DtlError('IO_ERROR', `cannot read file (${code ?? String(error)})`, { location: { file: path }, cause: error });
  }
}

/** Writes a UTF-8 file, creating parent folders; failures are IO_ERROR naming the file. */
export function writeTextFile(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DtlError('IO_ERROR', `cannot write file (${code ?? String(error)})`, { location: { file: path }, cause: error });
  }
}
