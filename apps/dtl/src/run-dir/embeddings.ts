import { existsSync, mkdirSync } from 'node:fs';
import { DtlError } from '@dtl/core';
import type { DenseMatrix } from '@dtl/core';
import { readMatrixText, writeMatrixText } from '@dtl/data';
import { runPaths } from './files.ts';

/** Writes a run's pooled embeddings as `embeddings/{user,item}.txt` (the format `dtl eval` reads). */
export function writeRunEmbeddings(runDir: string, users: DenseMatrix, items: DenseMatrix): void {
  const p = runPaths(runDir);
  mkdirSync(p.embeddings, { recursive: true });
  writeMatrixText(p.userEmbeddings, users);
  writeMatrixText(p.itemEmbeddings, items);
}

/**
 * Reads a run's `embeddings/{user,item}.txt`; with `expect`, checks they are `nUsers` × d and
 * `nItems` × d (`INVALID_DATA` naming the folder). Missing files: `NOT_FOUND` (the run has not finished).
 */
export function readRunEmbeddings(runDir: string, expect?: { readonly nUsers: number; readonly nItems: number }): { users: DenseMatrix; items: DenseMatrix } {
  const p = runPaths(runDir);
  if (!existsSync(p.userEmbeddings) || !existsSync(p.itemEmbeddings)) {
    throw new DtlError('NOT_FOUND', `${p.embeddings}/user.txt and item.txt not found: the run has not finished (rerun dtl train with the same --out to resume)`, { location: { file: p.embeddings } });
  }
  const users = readMatrixText(p.userEmbeddings);
  const items = readMatrixText(p.itemEmbeddings);
  if (expect && (users.rows !== expect.nUsers || items.rows !== expect.nItems || users.dim !== items.dim)) {
    throw new DtlError(
      'INVALID_DATA',
      `embeddings are ${users.rows}×${users.dim} users and ${items.rows}×${items.dim} items, dataset has ${expect.nUsers} users × ${expect.nItems} items`,
      { location: { file: p.embeddings } },
    );
  }
  return { users, items };
}
