import { DtlError } from '@dtl/core';
import type { Codebook, DualCodebook } from '@dtl/core';

/** The dual codebook of DTL-NS (collaborative `co`, latent-semantic `se`); both must cover the same items. */
export function createDualCodebook(co: Codebook, se: Codebook): DualCodebook {
  if (co.nItems !== se.nItems) {
    throw new DtlError('INVALID_ARGUMENT', `dual codebook: co covers ${co.nItems} items but se covers ${se.nItems}`);
  }
  return { co, se };
}
