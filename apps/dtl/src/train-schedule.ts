import { DtlError } from '@dtl/core';
import { lrScheduleOf } from '@dtl/models';
import type { LrSchedule } from '@dtl/models';
import type { TrainConfig } from './training.ts';

/**
 * The fit loop's learning-rate schedule of a train config (`lrSchedule`, `lrFinal`): undefined for
 * none or `constant` (the configured rate throughout, as before the keys existed), else the
 * library's schedule from `lr` at epoch 1 to `lrFinal` (default 0) at the config's last epoch.
 * INVALID_ARGUMENT for an `lrFinal` above `lr` or without a schedule to use it.
 */
export function lrScheduleOfConfig(config: Pick<TrainConfig, 'lr' | 'epochs' | 'lrSchedule' | 'lrFinal'>): LrSchedule | undefined {
  const kind = config.lrSchedule ?? 'constant';
  if (config.lrFinal !== undefined && kind === 'constant') throw new DtlError('INVALID_ARGUMENT', 'lrFinal needs a decaying schedule (lrSchedule: cosine)');
  if (kind === 'constant') return undefined;
  const final = config.lrFinal ?? 0;
  if (final > config.lr) throw new DtlError('INVALID_ARGUMENT', `lrFinal ${final} is above lr ${config.lr}; a cosine schedule decays from lr to lrFinal`);
  return lrScheduleOf({ kind, epochs: config.epochs, minScale: final / config.lr });
}
