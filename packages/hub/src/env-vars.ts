import { z } from 'zod';

/** An integer env variable in [min, max] (decimal digits only), with a default when unset. */
export function intVar(def: number, min: number, max: number) {
  return z
    .string()
    .regex(/^[0-9]+$/, 'must be a non-negative integer')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`)
    .default(def);
}
