import { z } from 'zod';

/** The answer shape every prompt asks for: `{"judgments":[{"index":0,"label":"positive"}]}`. */
export const judgmentsSchema = z.object({
  judgments: z.array(
    z.object({
      index: z.number().int().describe('candidate local index'),
      label: z.enum(['positive', 'negative']),
    }),
  ),
});

/** The same shape as a JSON schema whose items are fixed in order (for grammar-constrained decoding). */
export function orderedJudgmentsJsonSchema(n: number) {
  return {
    type: 'object',
    properties: {
      judgments: {
        type: 'array',
        prefixItems: Array.from({ length: n }, (_, i) => ({
          type: 'object',
          properties: { index: { const: i }, label: { enum: ['positive', 'negative'] } },
        })),
        minItems: n,
        maxItems: n,
      },
    },
  } as const;
}
