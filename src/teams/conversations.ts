import type { ConversationReference } from 'botbuilder';
import { LruMap } from '../lru-map';
import type { Collection, Store } from '../store/port';

/** A conversation reference as stored, with when the bot last heard from it. */
export interface StoredReference {
  reference: Partial<ConversationReference>;
  updatedAt: string;
}

/** How long a written reference counts as current, so `updatedAt` lags by at most this much. */
const REWRITE_AFTER_MS = 15 * 60_000;

/** Maximum number of written references this process keeps in memory to skip rewrites. */
const MAX_REMEMBERED_WRITES = 5000;

/**
 * Conversation references: every conversation the bot has seen (`conversation:<id>`), and each
 * user's 1:1 chat with the bot (`user:<aadObjectId>`), so proactive cards can reach them.
 */
export class ConversationDirectory {
  private readonly collection: Collection<StoredReference>;
  /**
   * Key to the reference JSON this process last wrote and when. Every turn calls `remember`
   * with a reference that rarely changes, and a store write costs a commit (SQLite) or a
   * round trip (Azure Tables), so unchanged references are rewritten only after
   * `REWRITE_AFTER_MS`. Another process may have written a newer reference for the same key in
   * between. Both are valid references of that conversation, so the stored one stays usable.
   */
  private readonly lastWrites = new LruMap<string, { json: string; atMs: number }>(
    MAX_REMEMBERED_WRITES,
  );

  constructor(
    store: Store,
    private readonly now: () => number = Date.now,
  ) {
    this.collection = store.collection<StoredReference>({ name: 'conversations' });
  }

  async remember(reference: Partial<ConversationReference>, aadObjectId?: string): Promise<void> {
    const conversationId = reference.conversation?.id;
    if (!conversationId) return;
    const keys = [`conversation:${conversationId}`];
    if (aadObjectId && reference.conversation?.conversationType === 'personal') {
      keys.push(`user:${aadObjectId}`);
    }

    // The id of the incoming activity changes on every turn and names no conversation. Kept, it
    // would also make botbuilder send later proactive messages as replies to that activity.
    const conversationReference = { ...reference };
    delete conversationReference.activityId;
    const json = JSON.stringify(conversationReference);
    const nowMs = this.now();
    for (const key of keys) {
      const last = this.lastWrites.get(key);
      if (last && last.json === json && nowMs - last.atMs < REWRITE_AFTER_MS) continue;

      const updatedAt = new Date(nowMs).toISOString();
      await this.collection.upsert(key, { reference: conversationReference, updatedAt });
      this.lastWrites.set(key, { json, atMs: nowMs });
    }
  }

  async forConversation(
    conversationId: string,
  ): Promise<Partial<ConversationReference> | undefined> {
    return (await this.collection.get(`conversation:${conversationId}`))?.value.reference;
  }

  async forUser(aadObjectId: string): Promise<Partial<ConversationReference> | undefined> {
    return (await this.collection.get(`user:${aadObjectId}`))?.value.reference;
  }
}
