import { restorePoller } from '@azure/arm-compute';
import type { AzureClients } from './clients';
import { AzureCallError, toAzureCallError } from './errors';
import type { GalleryRef } from './gallery-id';

export type ShareOperationType = 'EnableCommunity' | 'Reset';

export interface ShareOptions {
  /** Delay between polls of the long-running operation; Azure's `Retry-After` wins when sent. */
  pollIntervalInMs?: number;
  abortSignal?: AbortSignal;
}

/** The community sharing state of a gallery as Azure reports it after an operation. */
export interface SharingState {
  communityGalleryEnabled: boolean;
  publicNames: string[];
  /** `sharingStatus.aggregatedState`, such as `Succeeded` or `InProgress`. */
  aggregatedState?: string;
  /** Whether every public name resolves to a public community gallery resource. */
  communityGalleryFound: boolean;
}

/**
 * Sends the share POST once, with no automatic retry, and returns the long-running operation's
 * serialized state as soon as Azure accepted it, so the caller can persist it before waiting.
 * `wait` polls to the end through the ordinary client, whose retries are safe for GETs.
 */
export async function beginShare(
  clients: AzureClients,
  ref: GalleryRef,
  operationType: ShareOperationType,
  options: ShareOptions = {},
): Promise<{ pollerState: string; wait: () => Promise<void> }> {
  const compute = clients.computeWithoutRetries(ref.subscriptionId);
  const poller = compute.gallerySharingProfile.update(
    ref.resourceGroup,
    ref.galleryName,
    { operationType },
    { updateIntervalInMs: options.pollIntervalInMs, abortSignal: options.abortSignal },
  );

  try {
    await poller.submitted();
  } catch (error) {
    throw toAzureCallError(error, `Sharing gallery ${ref.galleryName} (${operationType})`);
  }
  const pollerState = await poller.serialize();
  return { pollerState, wait: () => resumeShare(clients, ref, pollerState, options) };
}

/** Polls an operation started by an earlier process to its end, without sending it again. */
export async function resumeShare(
  clients: AzureClients,
  ref: GalleryRef,
  pollerState: string,
  options: ShareOptions = {},
): Promise<void> {
  const compute = clients.compute(ref.subscriptionId);
  try {
    const poller = restorePoller(compute, pollerState, compute.gallerySharingProfile.update, {
      updateIntervalInMs: options.pollIntervalInMs,
      abortSignal: options.abortSignal,
    });
    await poller.pollUntilDone();
  } catch (error) {
    throw toAzureCallError(error, `Following the sharing operation of ${ref.galleryName}`);
  }
}

/**
 * Reads the gallery's sharing state and, for each public name, the public community gallery
 * resource that consumers see.
 */
export async function readSharingState(
  clients: AzureClients,
  ref: GalleryRef,
): Promise<SharingState> {
  const compute = clients.compute(ref.subscriptionId);
  let gallery;
  try {
    gallery = await compute.galleries.get(ref.resourceGroup, ref.galleryName);
  } catch (error) {
    throw toAzureCallError(error, `Reading gallery ${ref.galleryName}`);
  }

  const info = gallery.sharingProfile?.communityGalleryInfo;
  const publicNames = info?.publicNames ?? [];
  let communityGalleryFound = publicNames.length > 0;
  for (const publicName of publicNames) {
    try {
      await compute.communityGalleries.get(gallery.location, publicName);
    } catch (error) {
      const azureError = toAzureCallError(error, `Reading community gallery ${publicName}`);
      if (azureError.statusCode !== 404) throw azureError;
      communityGalleryFound = false;
    }
  }
  return {
    communityGalleryEnabled: info?.communityGalleryEnabled === true,
    publicNames,
    aggregatedState: gallery.sharingStatus?.aggregatedState,
    communityGalleryFound,
  };
}

/** Raises unless the sharing state is what the operation was meant to reach. */
export function assertSharingReached(state: SharingState, operationType: ShareOperationType): void {
  if (
    operationType === 'EnableCommunity' &&
    !(state.communityGalleryEnabled && state.communityGalleryFound)
  ) {
    throw new AzureCallError(
      'NotConfirmed',
      undefined,
      'Azure reported the operation as finished, but the gallery is not public: ' +
        `communityGalleryEnabled is ${state.communityGalleryEnabled} and ` +
        `${state.publicNames.length} public name(s) resolve.`,
      'Check the gallery in the Azure portal, then retry.',
    );
  }
  if (operationType === 'Reset' && state.communityGalleryEnabled) {
    throw new AzureCallError(
      'NotConfirmed',
      undefined,
      'Azure reported the reset as finished, but the gallery is still public.',
      'Check the gallery in the Azure portal, then retry.',
    );
  }
}
