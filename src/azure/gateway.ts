import type { Approver, RequestKind } from '../workflow/request';
import type { GalleryGateway } from '../workflow/ports';
import { findEligiblePrincipals, missingBotPermissions } from './approvers';
import { reviewGallery } from './checks';
import type { AzureClients } from './clients';
import { inspectGallery } from './inspect-gallery';
import { assertSharingReached, beginShare, readSharingState, resumeShare } from './share';

const OPERATION = { publish: 'EnableCommunity', unpublish: 'Reset' } as const;

export interface GatewayOptions {
  pollIntervalInMs?: number;
}

/** Implements the workflow's view of Azure with the real SDK clients. */
export function createGalleryGateway(
  clients: AzureClients,
  options: GatewayOptions = {},
): GalleryGateway {
  const shareOptions = { pollIntervalInMs: options.pollIntervalInMs };
  return {
    inspect: (ref) => inspectGallery(clients, ref),
    review: (snapshot, kind: RequestKind) =>
      reviewGallery(snapshot, {
        resourceManagerEndpoint: clients.resourceManagerEndpoint,
        kind,
      }),
    findApprovers: async (ref): Promise<Approver[]> => findEligiblePrincipals(clients, ref),
    missingBotPermissions: (ref) => missingBotPermissions(clients, ref),
    beginShare: (ref, kind) => beginShare(clients, ref, OPERATION[kind], shareOptions),
    resumeShare: (ref, pollerState) => resumeShare(clients, ref, pollerState, shareOptions),
    confirmShare: async (ref, kind) => {
      const state = await readSharingState(clients, ref);
      assertSharingReached(state, OPERATION[kind]);
      return { publicNames: state.publicNames };
    },
    sharingInProgress: async (ref) => {
      const state = await readSharingState(clients, ref);
      return state.aggregatedState === 'InProgress';
    },
  };
}
