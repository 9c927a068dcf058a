import { timestamp } from 'drizzle-orm/pg-core';

/** Every timestamp is `timestamptz`, read back as a JS Date (converted to ISO-8601 at the API edge). */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const createdAt = () => timestamptz('created_at').notNull().defaultNow();
export const updatedAt = () => timestamptz('updated_at').notNull().defaultNow();
