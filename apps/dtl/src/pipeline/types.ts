export type { DenseMatrix } from '@dtl/core';
export type { EpochRecord as EpochRecordLike } from '@dtl/models';
