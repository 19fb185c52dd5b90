/**
 * The galleries of the demonstration seed, built from the official Compute Gallery example
 * payloads of api-version 2024-03-03 (Azure/azure-rest-api-specs, MIT license).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { ArmResource } from './seed';

export const FIXTURES = path.join(__dirname, '..', '..', 'shared', 'fixtures');
export const SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
export const RESOURCE_GROUP = 'sandbox-rg';
export const LOCATION = 'westus';
export const SUBSCRIPTION_SCOPE = `/subscriptions/${SUBSCRIPTION_ID}`;
export const GROUP_SCOPE = `${SUBSCRIPTION_SCOPE}/resourceGroups/${RESOURCE_GROUP}`;

/** Returns readyGallery, privateGallery and blockedGallery with their images and applications. */
export function demoGalleries(): ArmResource[] {
  return [...readyGallery(), ...privateGallery(), ...blockedGallery()];
}

interface ExampleBody {
  properties: Record<string, unknown>;
}

/** Reads the 200 response body of an example payload. */
function example(relativePath: string): ExampleBody {
  const file = path.join(FIXTURES, 'arm', relativePath);
  return JSON.parse(readFileSync(file, 'utf8')).responses['200'].body;
}

export function galleryId(name: string): string {
  return `${GROUP_SCOPE}/providers/Microsoft.Compute/galleries/${name}`;
}

function gallery(name: string, description: string, sharingProfile: object): ArmResource {
  const body = example('galleryExamples/CommunityGallery_Get.json');
  return {
    id: galleryId(name),
    name,
    type: 'Microsoft.Compute/galleries',
    location: LOCATION,
    tags: {},
    properties: {
      ...body.properties,
      description,
      identifier: { uniqueName: `${SUBSCRIPTION_ID}-${name.toUpperCase()}` },
      provisioningState: 'Succeeded',
      sharingProfile,
      sharingStatus: undefined,
    },
  };
}

function communityProfile(info: Record<string, string>): object {
  return {
    permissions: 'Community',
    communityGalleryInfo: { ...info, communityGalleryEnabled: false },
  };
}

interface ImageOptions {
  osType: 'Linux' | 'Windows';
  offer: string;
  sku: string;
  description: string;
  location?: string;
}

function imageDefinition(galleryName: string, name: string, options: ImageOptions): ArmResource {
  const body = example('galleryExamples/GalleryImage_Get.json');
  const features = example('galleryExamples/GalleryImage_UpdateFeatures.json').properties
    .features as object[];
  return {
    id: `${galleryId(galleryName)}/images/${name}`,
    name,
    type: 'Microsoft.Compute/galleries/images',
    location: options.location ?? LOCATION,
    properties: {
      ...body.properties,
      description: options.description,
      osType: options.osType,
      osState: 'Generalized',
      hyperVGeneration: 'V2',
      architecture: 'x64',
      features: features.map((feature) => ({ ...feature, startsAtVersion: undefined })),
      identifier: { publisher: 'Contoso', offer: options.offer, sku: options.sku },
      eula: 'https://www.contoso.com/legal/community-images-eula',
      privacyStatementUri: 'https://www.contoso.com/privacy',
      releaseNoteUri: `https://www.contoso.com/images/${name}/release-notes`,
      provisioningState: 'Succeeded',
    },
  };
}

interface VersionOptions {
  publishedDate: string;
  location?: string;
  diskEncryptionSetId?: string;
}

function imageVersion(
  galleryName: string,
  imageName: string,
  name: string,
  options: VersionOptions,
): ArmResource {
  const body = example('galleryExamples/GalleryImageVersion_Get.json');
  const publishingProfile = body.properties.publishingProfile as { targetRegions: object[] };
  const storageProfile = body.properties.storageProfile as { osDiskImage: object };
  const location = options.location ?? LOCATION;
  const [exampleRegion] = publishingProfile.targetRegions;
  const targetRegion = {
    ...exampleRegion,
    name: location === LOCATION ? 'West US' : 'East US',
    encryption: options.diskEncryptionSetId
      ? { osDiskImage: { diskEncryptionSetId: options.diskEncryptionSetId } }
      : undefined,
  };

  return {
    id: `${galleryId(galleryName)}/images/${imageName}/versions/${name}`,
    name,
    type: 'Microsoft.Compute/galleries/images/versions',
    location,
    properties: {
      publishingProfile: {
        ...publishingProfile,
        targetRegions: [targetRegion],
        publishedDate: options.publishedDate,
        excludeFromLatest: false,
      },
      storageProfile: {
        source: {
          id: `${GROUP_SCOPE}/providers/Microsoft.Compute/images/${imageName}-${name}`,
        },
        osDiskImage: storageProfile.osDiskImage,
      },
      safetyProfile: {
        allowDeletionOfReplicatedLocations: false,
        reportedForPolicyViolation: false,
        policyViolations: [],
      },
      provisioningState: 'Succeeded',
    },
  };
}

function readyGallery(): ArmResource[] {
  const name = 'readyGallery';
  const images: [string, ImageOptions, string[]][] = [
    [
      'ubuntu-22-04-web',
      {
        osType: 'Linux',
        offer: 'ubuntu-web',
        sku: '22_04-lts-gen2',
        description: 'Ubuntu 22.04 LTS with nginx.',
      },
      ['1.0.0', '1.1.0'],
    ],
    [
      'windows-2022-iis',
      {
        osType: 'Windows',
        offer: 'windows-iis',
        sku: '2022-datacenter-gen2',
        description: 'Windows Server 2022 with IIS.',
      },
      ['1.0.0', '1.0.1'],
    ],
    [
      'debian-12-build-agent',
      {
        osType: 'Linux',
        offer: 'build-agent',
        sku: 'debian-12-gen2',
        description: 'Debian 12 build agent.',
      },
      ['2.0.0', '2.1.0'],
    ],
  ];

  return [
    gallery(
      name,
      'Contoso images published to the Azure community.',
      communityProfile({
        publisherUri: 'https://www.contoso.com',
        publisherContact: 'gallery-publishing@contoso.com',
        eula: 'https://www.contoso.com/legal/community-images-eula',
        publicNamePrefix: 'contoso',
      }),
    ),
    ...images.flatMap(([imageName, options, versions]) => [
      imageDefinition(name, imageName, options),
      ...versions.map((version, index) =>
        imageVersion(name, imageName, version, {
          publishedDate: `2024-0${5 + index * 3}-02T10:00:00Z`,
        }),
      ),
    ]),
  ];
}

function privateGallery(): ArmResource[] {
  const name = 'privateGallery';
  return [
    gallery(name, 'Internal images, never shared.', { permissions: 'Private' }),
    imageDefinition(name, 'rhel-9-internal', {
      osType: 'Linux',
      offer: 'rhel-internal',
      sku: '9-gen2',
      description: 'Red Hat Enterprise Linux 9 for internal workloads.',
    }),
    imageVersion(name, 'rhel-9-internal', '1.0.0', { publishedDate: '2024-06-10T10:00:00Z' }),
  ];
}

/** A community gallery with three blockers: a SAS token, an encrypted version, another region. */
function blockedGallery(): ArmResource[] {
  const name = 'blockedGallery';
  // The signature is a placeholder (base64 of "sandbox-not-a-real-signature"), not a secret.
  const eulaWithSasToken =
    'https://contosolegal.blob.core.windows.net/eula/community-eula.pdf?sv=2022-11-02&ss=b&srt=o' +
    '&sp=r&se=2030-12-31T23:59:59Z&st=2024-01-01T00:00:00Z&spr=https' +
    '&sig=c2FuZGJveC1ub3QtYS1yZWFsLXNpZ25hdHVyZQ%3D%3D';
  const diskEncryptionSetId = `${GROUP_SCOPE}/providers/Microsoft.Compute/diskEncryptionSets/sandbox-des`;

  return [
    gallery(
      name,
      'Lab images that are not ready to be public.',
      communityProfile({
        publisherUri: 'https://www.contoso.com/lab',
        publisherContact: 'lab-images@contoso.com',
        eula: eulaWithSasToken,
        publicNamePrefix: 'contosolab',
      }),
    ),
    imageDefinition(name, 'ubuntu-22-04-encrypted', {
      osType: 'Linux',
      offer: 'ubuntu-encrypted',
      sku: '22_04-lts-gen2',
      description: 'Ubuntu 22.04 encrypted with a customer-managed key.',
    }),
    imageVersion(name, 'ubuntu-22-04-encrypted', '1.0.0', {
      publishedDate: '2024-07-01T10:00:00Z',
      diskEncryptionSetId,
    }),
    imageDefinition(name, 'windows-2019-eastus', {
      osType: 'Windows',
      offer: 'windows-lab',
      sku: '2019-datacenter-gen2',
      description: 'Windows Server 2019 lab image kept in East US.',
      location: 'eastus',
    }),
    imageVersion(name, 'windows-2019-eastus', '1.0.0', {
      publishedDate: '2024-07-15T10:00:00Z',
      location: 'eastus',
    }),
    {
      id: `${galleryId(name)}/applications/contoso-monitoring-agent`,
      name: 'contoso-monitoring-agent',
      type: 'Microsoft.Compute/galleries/applications',
      location: LOCATION,
      properties: {
        description: 'Monitoring agent installed as a VM application.',
        supportedOSType: 'Windows',
      },
    },
  ];
}
