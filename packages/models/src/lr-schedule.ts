import { DtlError } from '@dtl/core';

/** Learning-rate schedules of the fit loop: a factor of the configured learning rate per epoch. */
export type LrScheduleKind = 'constant' | 'cosine';

/** The factor of epoch `epoch` (1-based) of `epochs`; `constant` is always 1. */
export type LrSchedule = (epoch: number) => number;

export interface LrScheduleOptions {
  readonly kind: LrScheduleKind;
  /** Epochs of the run (the cosine reaches `minScale` at the last one). */
  readonly epochs: number;
  /** Factor at the last epoch for `cosine`, in [0, 1]; default 0. */
  readonly minScale?: number;
}

/**
 * The schedule's factor per epoch. `cosine` (Loshchilov & Hutter, SGDR, without restarts): epoch 1
 * trains at the configured rate, epoch `epochs` at `minScale` × it, half a cosine in between:
 * scale(e) = m + (1 − m)·(1 + cos(π·(e − 1)/(epochs − 1)))/2. It depends on the epoch number only, so
 * a resumed run follows it exactly.
 */
export function lrScheduleOf(options: LrScheduleOptions): LrSchedule {
  const { kind, epochs } = options;
  const m = options.minScale ?? 0;
  if (!(m >= 0 && m <= 1)) throw new DtlError('INVALID_ARGUMENT', `the schedule's final factor must be in [0, 1], got ${m}`);
  if (!Number.isInteger(epochs) || epochs < 1) throw new DtlError('INVALID_ARGUMENT', `epochs must be a positive integer, got ${epochs}`);
  if (kind === 'constant') return () => 1;
  if (kind !== 'cosine') throw new DtlError('INVALID_ARGUMENT', `unknown learning-rate schedule ${String(kind)}`);
  return (epoch) => {
    if (epochs === 1 || epoch <= 1) return 1;
    const f = Math.min(1, (epoch - 1) / (epochs - 1));
    return m + ((1 - m) * (1 + Math.cos(Math.PI * f))) / 2;
  };
}
