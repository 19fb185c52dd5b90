import type { Finding } from '../../src/azure/findings';
import type {
  GallerySnapshot,
  ImageDefinitionFacts,
  ImageVersionFacts,
} from '../../src/azure/snapshot';
import type { PublishRequest, RequestState } from '../../src/workflow/request';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const GALLERY_ID =
  `/subscriptions/${SUBSCRIPTION}/resourceGroups/sandbox-rg` +
  '/providers/Microsoft.Compute/galleries/readyGallery';

export function makeVersion(overrides: Partial<ImageVersionFacts> = {}): ImageVersionFacts {
  return {
    id: `${GALLERY_ID}/images/ubuntu-22/versions/1.0.0`,
    name: '1.0.0',
    location: 'westus',
    provisioningState: 'Succeeded',
    publishedDate: '2026-01-05T10:00:00Z',
    excludeFromLatest: false,
    targetRegions: [
      { name: 'westus', excludeFromLatest: false, encryption: { diskEncryptionSetIds: [] } },
    ],
    policyViolations: [],
    ...overrides,
  };
}

export function makeImage(overrides: Partial<ImageDefinitionFacts> = {}): ImageDefinitionFacts {
  const name = overrides.name ?? 'ubuntu-22';
  return {
    id: `${GALLERY_ID}/images/${name}`,
    name,
    location: 'westus',
    provisioningState: 'Succeeded',
    osType: 'Linux',
    osState: 'Generalized',
    hyperVGeneration: 'V2',
    architecture: 'x64',
    publisher: 'contoso',
    offer: 'ubuntu',
    sku: '22_04-lts',
    description: 'Ubuntu 22.04 with the Contoso agent',
    eula: 'https://contoso.example/eula',
    privacyStatementUri: 'https://contoso.example/privacy',
    releaseNoteUri: 'https://contoso.example/releases',
    versions: [makeVersion()],
    ...overrides,
  };
}

/** Returns `count` image definitions named `image-0001`, `image-0002`, … */
export function makeImages(count: number, overrides: Partial<ImageDefinitionFacts> = {}) {
  return Array.from({ length: count }, (_, index) =>
    makeImage({ name: `image-${String(index + 1).padStart(4, '0')}`, ...overrides }),
  );
}

export function makeSnapshot(overrides: Partial<GallerySnapshot> = {}): GallerySnapshot {
  return {
    gallery: {
      id: GALLERY_ID,
      name: 'readyGallery',
      location: 'westus',
      description: 'Images for Contoso customers',
      provisioningState: 'Succeeded',
      permissions: 'Community',
      community: {
        publisherUri: 'https://contoso.example',
        publisherContact: 'images@contoso.example',
        eula: 'https://contoso.example/eula',
        publicNamePrefix: 'contoso',
        publicNames: [],
        communityGalleryEnabled: false,
      },
    },
    images: [makeImage()],
    applications: [],
    readAt: '2026-01-07T06:00:00Z',
    ...overrides,
  };
}

export function makeFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    severity: 'warning',
    code: 'NoReleaseNotes',
    subject: 'image ubuntu-22',
    message: 'The image definition has no release notes URL.',
    fix: 'Set releaseNoteUri on the image definition.',
    ...overrides,
  };
}

/** Returns a valid request in the given state, with the fields that state implies. */
export function makeRequest(overrides: Partial<PublishRequest> = {}): PublishRequest {
  const state: RequestState = overrides.state ?? 'draft';
  const submitted = state !== 'draft';
  const decided = ['approved', 'sharing', 'shared', 'failed', 'denied'].includes(state);

  return {
    id: 'req-0001',
    kind: 'publish',
    state,
    gallery: {
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'sandbox-rg',
      galleryName: 'readyGallery',
    },
    galleryKey: GALLERY_ID.toLowerCase(),
    requester: {
      aadObjectId: '22222222-2222-2222-2222-222222222222',
      name: 'Adele Vance',
      teamsUserId: '29:requester',
    },
    requesterConversationId: 'a:requester-chat',
    justification: submitted ? 'Customers need the hardened Ubuntu image.' : undefined,
    createdAt: '2026-01-07T06:00:00Z',
    updatedAt: '2026-01-07T07:00:00Z',
    submittedAt: submitted ? '2026-01-07T06:05:00Z' : undefined,
    expiresAt: submitted ? '2026-01-10T06:05:00Z' : undefined,
    snapshot: makeSnapshot(),
    metadataHash: 'a'.repeat(64),
    findings: [makeFinding()],
    approvers: [
      {
        principalId: '33333333-3333-3333-3333-333333333333',
        principalType: 'User',
        displayName: 'Megan Bowen',
        roles: [`Owner at /subscriptions/${SUBSCRIPTION}`],
      },
    ],
    decision: decided
      ? {
          outcome: state === 'denied' ? 'denied' : 'approved',
          by: { aadObjectId: '33333333-3333-3333-3333-333333333333', name: 'Megan Bowen' },
          at: '2026-01-07T06:30:00Z',
          reason: state === 'denied' ? 'The EULA is not final.' : undefined,
          eligibleRoles: [`Owner at /subscriptions/${SUBSCRIPTION}`],
        }
      : undefined,
    cancelledBy:
      state === 'cancelled'
        ? { aadObjectId: '22222222-2222-2222-2222-222222222222', name: 'Adele Vance' }
        : undefined,
    share: ['sharing', 'shared', 'failed'].includes(state)
      ? {
          attempt: 1,
          startedAt: '2026-01-07T06:31:00Z',
          finishedAt: state === 'sharing' ? undefined : '2026-01-07T06:35:00Z',
          error:
            state === 'failed'
              ? { code: 'OperationNotAllowed', message: 'The gallery is being updated.' }
              : undefined,
        }
      : undefined,
    publicNames: state === 'shared' ? ['contoso-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d'] : undefined,
    cards: [],
    ...overrides,
  };
}

/** Every state, for tests that render them all. */
export const ALL_STATES: readonly RequestState[] = [
  'draft',
  'pending',
  'approved',
  'sharing',
  'shared',
  'failed',
  'denied',
  'cancelled',
  'expired',
];
