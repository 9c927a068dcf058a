import { eq, sql } from 'drizzle-orm';
import type { Feed, RevisionRepository } from '../../domain/index.js';
import type { Db } from '../client.js';
import { revisions } from '../schema/index.js';

export class DrizzleRevisionRepository implements RevisionRepository {
  constructor(private readonly db: Db) {}

  async bump(feed: Feed): Promise<number> {
    // The upsert takes a row lock, so concurrent writers to one feed get distinct, increasing revisions.
    const [r] = await this.db
      .insert(revisions)
      .values({ feed, value: 1 })
      .onConflictDoUpdate({ target: revisions.feed, set: { value: sql`${revisions.value} + 1` } })
      .returning({ value: revisions.value });
    return r!.value;
  }

  async get(feed: Feed): Promise<number> {
    const [r] = await this.db.select({ value: revisions.value }).from(revisions).where(eq(revisions.feed, feed));
    return r?.value ?? 0;
  }
}
