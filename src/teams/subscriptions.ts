import type { ConversationReference } from 'botbuilder';
import type { Collection, Store } from '../store/port';

/** Topic that a team channel can subscribe to. */
export type SubscriptionTopic = 'approvals' | 'abuse-reports';

export const SUBSCRIPTION_TOPICS: readonly SubscriptionTopic[] = ['approvals', 'abuse-reports'];

/** A channel's subscription, with the reference the bot posts to. */
export interface ChannelSubscription {
  topic: SubscriptionTopic;
  /** The channel's id (`19:…@thread.tacv2`), without a `;messageid=` thread suffix. */
  channelId: string;
  teamId?: string;
  reference: Partial<ConversationReference>;
  subscribedBy: { aadObjectId?: string; name?: string };
  subscribedAt: string;
  /** Set when Teams responded 403 or 404 for the channel: the bot was removed from it. */
  brokenAt?: string;
  brokenReason?: string;
}

/** Channel subscriptions, keyed by topic and channel id. */
export class SubscriptionDirectory {
  private readonly collection: Collection<ChannelSubscription>;

  constructor(store: Store) {
    this.collection = store.collection<ChannelSubscription>({
      name: 'subscriptions',
      indexes: { topic: (subscription) => subscription.topic },
    });
  }

  async subscribe(subscription: ChannelSubscription): Promise<void> {
    await this.collection.upsert(key(subscription.topic, subscription.channelId), subscription);
  }

  /** Removes a subscription; returns whether there was one. */
  async unsubscribe(topic: SubscriptionTopic, channelId: string): Promise<boolean> {
    const existing = await this.collection.get(key(topic, channelId));
    if (!existing) return false;
    await this.collection.delete(key(topic, channelId));
    return true;
  }

  /** Lists the working subscriptions of a topic. */
  async list(topic: SubscriptionTopic): Promise<ChannelSubscription[]> {
    const stored = await this.collection.query({ topic });
    return stored.map((item) => item.value).filter((subscription) => !subscription.brokenAt);
  }

  /** Marks a subscription broken after Teams refused a post to the channel. */
  async markBroken(topic: SubscriptionTopic, channelId: string, reason: string): Promise<void> {
    const existing = await this.collection.get(key(topic, channelId));
    if (!existing) return;
    await this.collection.upsert(key(topic, channelId), {
      ...existing.value,
      brokenAt: new Date().toISOString(),
      brokenReason: reason,
    });
  }
}

function key(topic: SubscriptionTopic, channelId: string): string {
  return `${topic}:${channelId}`;
}
