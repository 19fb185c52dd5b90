import { alwaysShownNotices } from '../azure/checks';
import { redactSnapshotSecrets } from '../azure/snapshot';
import { redactUrlSecrets } from '../azure/url-secrets';
import type { PublishRequest } from '../workflow/request';
import { defaultNotices } from './notices';

/**
 * Returns the request as cards show it: credential values in its URLs and free text replaced,
 * so a card shows what becomes public without spreading a live secret into chats. The stored
 * request keeps the original text, which the metadata hash covers.
 */
export function forDisplay(request: PublishRequest): PublishRequest {
  return { ...request, snapshot: redactSnapshotSecrets(request.snapshot, redactUrlSecrets) };
}

/** Returns the statements every card of the request carries. */
export function noticesFor(request: PublishRequest): string[] {
  return request.kind === 'publish'
    ? alwaysShownNotices(request.snapshot)
    : [...defaultNotices(request.kind)];
}
