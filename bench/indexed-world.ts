import { lastSegment, pathKey, splitPath, subscriptionOf } from '../sandbox/arm-path';
import type { ArmResource, Seed } from '../sandbox/seed';
import { World } from '../sandbox/world';
import { deepFreeze } from '../src/deep-freeze';

/**
 * The emulator's world with two indexes: the members of each collection and the resources of
 * each type. `World` scans every resource for each list and for each authorization check, so
 * reading a gallery of N image definitions costs O(N²) there: 16 s of emulator CPU for 1,000
 * images, 64% of it in sandbox/world.ts (`node --cpu-prof`). It also copies every resource it
 * hands out, and each authorization check reads all role definitions. Here reads return the
 * stored resources themselves, deeply frozen, so that a caller that tried to change one would
 * raise a TypeError instead. The responses are the same; only the lookups change. Any `put` or
 * `delete` drops the indexes, which are rebuilt on next use.
 */
export class IndexedWorld extends World {
  /** Frozen copies of every resource by lookup key, in insertion order. */
  private readonly stored: Map<string, ArmResource>;
  private collections: Map<string, ArmResource[]> | undefined;
  private types: Map<string, ArmResource[]> | undefined;
  private subscriptions: Set<string> | undefined;
  /** Scope chains by scope. They depend on the management groups only, which never change. */
  private readonly scopeChains = new Map<string, readonly string[]>();

  constructor(seed: Seed) {
    super(seed);
    this.stored = new Map(
      seed.resources.map((resource) => [pathKey(resource.id), frozenCopy(resource)]),
    );
  }

  override put(resource: ArmResource): void {
    super.put(resource);
    // `World`'s constructor calls `put` before this class has initialized `stored`, so the
    // constructor above adds the seed's resources afterwards.
    this.stored?.set(pathKey(resource.id), frozenCopy(resource));
    this.dropIndexes();
  }

  override delete(id: string): boolean {
    this.stored.delete(pathKey(id));
    this.dropIndexes();
    return super.delete(id);
  }

  /** Returns the stored resource, frozen, in place of the copy that `World` returns. */
  override get(id: string): ArmResource | undefined {
    return this.stored.get(pathKey(id));
  }

  override hasSubscription(subscriptionId: string): boolean {
    if (!this.subscriptions) {
      this.subscriptions = new Set();
      for (const resource of this.stored.values()) {
        const subscription = subscriptionOf(resource.id);
        if (subscription) this.subscriptions.add(subscription.toLowerCase());
      }
    }
    return this.subscriptions.has(subscriptionId.toLowerCase());
  }

  override scopeChain(scope: string): string[] {
    let chain = this.scopeChains.get(scope);
    if (!chain) {
      chain = super.scopeChain(scope);
      this.scopeChains.set(scope, chain);
    }
    return [...chain];
  }

  override inCollection(collectionPath: string): ArmResource[] {
    return [...this.members(collectionPath)];
  }

  override ofType(type: string): ArmResource[] {
    this.types ??= this.indexBy((resource) => resource.type.toLowerCase(), { sorted: false });
    return [...(this.types.get(type.toLowerCase()) ?? [])];
  }

  /**
   * Returns the stored members of a collection in id order, frozen. Subscription-wide lists (`/subscriptions/{s}/providers/{ns}/{type}`) go
   * to `World`.
   */
  members(collectionPath: string): readonly ArmResource[] {
    const segments = splitPath(collectionPath);
    const isSubscriptionWide =
      segments.length === 5 &&
      segments[0]?.toLowerCase() === 'subscriptions' &&
      segments[2]?.toLowerCase() === 'providers';
    if (isSubscriptionWide) return super.inCollection(collectionPath);

    this.collections ??= this.indexBy(
      (resource) => pathKey(resource.id).slice(0, -(lastSegment(resource.id).length + 1)),
      { sorted: true },
    );
    return this.collections.get(pathKey(collectionPath)) ?? [];
  }

  private dropIndexes(): void {
    this.collections = undefined;
    this.types = undefined;
    this.subscriptions = undefined;
  }

  /**
   * Groups every resource by `keyOf`, in the order `World` uses: collections sorted by lookup
   * key, types in insertion order.
   */
  private indexBy(
    keyOf: (resource: ArmResource) => string,
    options: { sorted: boolean },
  ): Map<string, ArmResource[]> {
    const index = new Map<string, ArmResource[]>();
    const keys = options.sorted ? [...this.stored.keys()].sort() : [...this.stored.keys()];
    for (const key of keys) {
      const resource = this.stored.get(key);
      if (!resource) continue;
      const group = index.get(keyOf(resource)) ?? [];
      group.push(resource);
      index.set(keyOf(resource), group);
    }
    return index;
  }
}

function frozenCopy(resource: ArmResource): ArmResource {
  return deepFreeze(structuredClone(resource));
}
