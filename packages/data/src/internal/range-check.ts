import { DtlError } from '@dtl/core';
import type { IdRangeOptions } from '../pair-list.ts';

/** Throws INVALID_DATA at file:line when `id` is not below the declared limit. */
export function checkRange(
  id: number,
  limit: number | undefined,
  what: 'user' | 'item',
  file: string,
  line: number,
  options: IdRangeOptions,
): void {
  if (limit !== undefined && id >= limit) {
    const key = what === 'user' ? 'n_users' : 'n_items';
    throw new DtlError(
      'INVALID_DATA',
      `${what} id ${id} is out of range (${key} = ${limit} declared in ${options.rangeSource ?? 'options'})`,
      { location: { file, line } },
    );
  }
}

export function emptyFileError(file: string): DtlError {
  return new DtlError('INVALID_DATA', 'empty file: no interactions (only blank lines or nothing)', {
    location: { file, line: 1 },
  });
}
