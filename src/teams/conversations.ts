import type { ConversationReference } from 'botbuilder';
import type { Collection, Store } from '../store/port';

/** A conversation reference as stored, with when the bot last heard from it. */
export interface StoredReference {
  reference: Partial<ConversationReference>;
  updatedAt: string;
}

/**
 * Conversation references: every conversation the bot has seen (`conversation:<id>`), and each
 * user's 1:1 chat with the bot (`user:<aadObjectId>`), so proactive cards can reach them.
 */
export class ConversationDirectory {
  private readonly collection: Collection<StoredReference>;

  constructor(store: Store) {
    this.collection = store.collection<StoredReference>({ name: 'conversations' });
  }

  async remember(reference: Partial<ConversationReference>, aadObjectId?: string): Promise<void> {
    const conversationId = reference.conversation?.id;
    if (!conversationId) return;
    const entry = { reference, updatedAt: new Date().toISOString() };
    await this.collection.upsert(`conversation:${conversationId}`, entry);
    if (aadObjectId && reference.conversation?.conversationType === 'personal') {
      await this.collection.upsert(`user:${aadObjectId}`, entry);
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
