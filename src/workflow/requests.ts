import {
  PreconditionFailedError,
  type Collection,
  type CollectionDefinition,
  type Store,
  type Stored,
} from '../store/port';
import { deepFreeze } from '../deep-freeze';
import { LruMap } from '../lru-map';
import { WorkflowError } from './errors';
import { LARGE_REQUEST_FIELDS, isOpen, type PublishRequest, type RequestSummary } from './request';

export const REQUESTS: CollectionDefinition<PublishRequest> = {
  name: 'requests',
  largeFields: LARGE_REQUEST_FIELDS,
  indexes: {
    state: (request) => request.state,
    gallery: (request) => request.galleryKey,
    // Only open requests are indexed. The name stays, because Azure Tables stores an index under
    // its name, so a new name would miss what older releases write during a rolling upgrade.
    requester: (request) => (isOpen(request.state) ? request.requester.aadObjectId : undefined),
  },
};

/** How many times a conditional write is retried after losing to another writer. */
const MAX_WRITE_ATTEMPTS = 20;

/** Summaries kept parsed, each a request without its large fields (a few KB). */
const MAX_KEPT_SUMMARIES = 500;

/**
 * Whole requests kept parsed for `get` and `find`, one version of each. Only requests whose
 * stored JSON is at most `MAX_KEPT_REQUEST_SIZE` characters are kept, so the kept ones were
 * parsed from at most 2 M characters of JSON in all. A request of 10 image definitions with one
 * version each is about 14 K characters.
 */
const MAX_KEPT_REQUESTS = 32;
const MAX_KEPT_REQUEST_SIZE = 64 * 1024;

/** Request documents with ETag-conditional updates. */
export class RequestRepository {
  private readonly collection: Collection<PublishRequest>;
  /**
   * Parsed summaries and requests by key, one version each with its ETag. A stored change makes
   * a new ETag, so none goes stale, even when another process wrote it.
   */
  private readonly summaries = new LruMap<string, Kept<RequestSummary>>(MAX_KEPT_SUMMARIES);
  private readonly requests = new LruMap<string, Kept<PublishRequest>>(MAX_KEPT_REQUESTS);

  constructor(store: Store) {
    this.collection = store.collection(REQUESTS);
  }

  /**
   * Reads a request. A request read before at the same version is returned again rather than
   * parsed again, because a burst of clicks reads one request once per click. Such a request
   * is frozen and shared, so copy it before changing it (as `update` does).
   */
  async get(id: string): Promise<PublishRequest> {
    const request = await this.find(id);
    if (!request) {
      throw new WorkflowError('RequestNotFound', `Request ${id} was not found.`);
    }
    return request;
  }

  /** Like `get`, but returns undefined for a request that does not exist. */
  async find(id: string): Promise<PublishRequest | undefined> {
    const stored = await this.collection.get(id);
    if (!stored) return undefined;

    if (stored.size === undefined || stored.size > MAX_KEPT_REQUEST_SIZE) {
      this.requests.delete(id);
      return stored.value;
    }
    return keptValue(this.requests, stored);
  }

  async create(request: PublishRequest): Promise<PublishRequest> {
    return (await this.collection.create(request.id, request)).value;
  }

  async list(where: Record<string, string>): Promise<PublishRequest[]> {
    return (await this.collection.query(where)).map((stored) => stored.value);
  }

  /**
   * Lists the open requests of the user with Azure AD object id `requester`, newest first,
   * without their large fields, which the store then need not parse. A summary already parsed
   * for the same ETag is reused rather than parsed again. Summaries are frozen and shared
   * between calls, so copy one before changing it.
   */
  async listOpen(requester: string): Promise<readonly RequestSummary[]> {
    const found = await this.collection.query({ requester }, { omit: LARGE_REQUEST_FIELDS });
    return (
      found
        .map((stored) => keptValue(this.summaries, stored))
        // Requests that an older release wrote are indexed by requester whatever their state.
        .filter((summary) => isOpen(summary.state))
        .sort(newestFirst)
    );
  }

  /**
   * Applies `change` to the current version and writes it only if nobody wrote in between;
   * on a lost race it re-reads and applies `change` again. `change` raises to refuse (for
   * example when the state no longer allows the transition) and returns undefined when there
   * is nothing to write. It gets a copy of its own, which it must leave unchanged when it
   * returns undefined, and the new version it returns is what `update` returns.
   */
  async update(
    id: string,
    change: (current: PublishRequest) => PublishRequest | undefined,
  ): Promise<{ request: PublishRequest; changed: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const stored: Stored<PublishRequest> | undefined = await this.collection.get(id);
      if (!stored) throw new WorkflowError('RequestNotFound', `Request ${id} was not found.`);

      const next = change(stored.value);
      if (!next) return { request: stored.value, changed: false };
      try {
        await this.collection.replace(id, next, stored.etag);
        return { request: next, changed: true };
      } catch (error) {
        if (!(error instanceof PreconditionFailedError) || attempt >= MAX_WRITE_ATTEMPTS)
          throw error;
      }
    }
  }
}

/** A parsed, frozen document and the ETag of the version it was parsed from. */
interface Kept<T> {
  etag: string;
  value: T;
}

/** Orders requests by the time they were submitted (or created), the newest first. */
function newestFirst(a: RequestSummary, b: RequestSummary): number {
  const atA = a.submittedAt ?? a.createdAt;
  const atB = b.submittedAt ?? b.createdAt;
  if (atA !== atB) return atA < atB ? 1 : -1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

/** Returns the value kept for this version of the document, keeping it, frozen, if it is new. */
function keptValue<T>(kept: LruMap<string, Kept<T>>, stored: Stored<T>): T {
  const entry = kept.get(stored.key);
  if (entry?.etag === stored.etag) return entry.value;
  const value = deepFreeze(stored.value);
  kept.set(stored.key, { etag: stored.etag, value });
  return value;
}
