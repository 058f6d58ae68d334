import { samplerConfigFrom } from '../samplers.ts';
import type { SamplerConfig } from '../samplers.ts';
import type { TrainConfig } from '../training.ts';
import type { PipelineConfig, TrainSectionConfig } from './config.ts';

/**
 * The sampler settings of a train section, in the form `dtl train`'s flags produce them
 * (`samplerConfigFromOptions`): a false-negative-aware option absent from the section is absent
 * here too, so its stage key is the one it had before the option existed.
 */
export function samplerConfigOf(section: TrainSectionConfig, codes?: { co: string; se: string; offset: number }): SamplerConfig {
  return samplerConfigFrom(section.sampler, { ...section, codesCo: codes?.co, codesSe: codes?.se, codesOffset: codes?.offset }, 'config');
}

export function trainConfigOf(section: TrainSectionConfig, data: string, pipeline: PipelineConfig, codes?: { co: string; se: string; offset: number }): TrainConfig {
  return {
    data,
    model: section.model,
    sampler: samplerConfigOf(section, codes),
    epochs: section.epochs,
    evalEvery: section.evalEvery,
    patience: section.patience,
    seed: pipeline.seed,
    lr: section.lr,
    dim: section.dim,
    layers: section.layers,
    batchSize: section.batchSize,
    l2: section.l2,
    optimizer: section.optimizer,
    negatives: section.negatives,
    carveValid: pipeline.carveValid,
    ...(section.lrSchedule !== undefined ? { lrSchedule: section.lrSchedule } : {}),
    ...(section.lrFinal !== undefined ? { lrFinal: section.lrFinal } : {}),
  };
}
