import { EmbeddingModel } from './embedding-model.ts';
import type { EmbeddingModelOptions } from './embedding-model.ts';

/**
 * BPR-MF (Rendle et al., UAI 2009): score = ⟨user embedding, item embedding⟩, Xavier-uniform
 * initialisation, trained with BPR + L2 on the batch rows, Adam by default.
 */
export function createMfModel(options: EmbeddingModelOptions): EmbeddingModel {
  return new EmbeddingModel({ ...options, name: 'mf', layers: 0 });
}
