import { APP_CANDIDATES_DEFAULT } from '../samplers.ts';
import type { SamplerEntry } from '../samplers.ts';
import { createSoftmaxDnsSampler } from './softmax-dns.ts';

/** The registry row of the worked example (docs/ADDING_A_SAMPLER.md): paste it into `SAMPLERS` in samplers.ts. */
export const softmaxDnsRow = {
  summary: 'DNS with a temperature: a candidate drawn ∝ exp(score / τ)',
  options: ['candidates'],
  needs: {},
  create: (o) => createSoftmaxDnsSampler({ candidates: o.candidates ?? APP_CANDIDATES_DEFAULT }),
} satisfies SamplerEntry;
