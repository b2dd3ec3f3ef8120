import { CUSTOMER_SEGMENTS, type CustomerSegment, paginationShape } from '@vigil/service-kit';
import { containsCardNumber } from '@vigil/telemetry';
import { z } from 'zod';

export const SEGMENTS = CUSTOMER_SEGMENTS;
export type Segment = CustomerSegment;

/** What the API returns: never credentials, only these fields. */
export interface User {
  id: number;
  name: string;
  email: string;
  segment: Segment;
  created_at: string;
}

// Control characters in names would end up in logs and e-mails.
const CONTROL_CHARS = /\p{Cc}/u;

// Card numbers belong in the payment vault only, never in a profile (nor in its logs and backups).
const NO_CARD = 'must not contain a card number';

export const newUserSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters')
    .refine((s) => !containsCardNumber(s), NO_CARD),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, 'must be at most 254 characters')
    .refine((s) => !containsCardNumber(s), NO_CARD)
    .pipe(z.email()),
  segment: z.enum(SEGMENTS).default('new'),
});

export type NewUser = z.output<typeof newUserSchema>;

export const listUsersQuerySchema = z.object({
  ...paginationShape(),
  segment: z.enum(SEGMENTS).optional(),
});

export type ListUsersQuery = z.output<typeof listUsersQuerySchema>;
