import * as fs from 'node:fs';
import * as path from 'node:path';

import { alwaysShownNotices, reviewGallery, type ReviewContext } from '../../src/azure/checks';
import type { Finding } from '../../src/azure/findings';
import type {
  GalleryFacts,
  GallerySnapshot,
  ImageDefinitionFacts,
  ImageVersionFacts,
} from '../../src/azure/snapshot';

const FIXTURES = path.join(__dirname, '../../../shared/fixtures/arm/galleryExamples');
const PUBLIC_CLOUD = 'https://management.azure.com/';
const PUBLISH: ReviewContext = { resourceManagerEndpoint: PUBLIC_CLOUD, kind: 'publish' };
const UNPUBLISH: ReviewContext = { resourceManagerEndpoint: PUBLIC_CLOUD, kind: 'unpublish' };

// The parts of Resource Manager payloads that a snapshot is built from, as in the fixtures.
interface ArmResource<P> {
  id: string;
  name: string;
  location: string;
  properties: P;
}

interface ArmGalleryProperties {
  description?: string;
  provisioningState?: string;
  sharingProfile?: {
    permissions?: string;
    communityGalleryInfo?: {
      publisherUri?: string;
      publisherContact?: string;
      eula?: string;
      publicNamePrefix?: string;
      publicNames?: string[];
      communityGalleryEnabled?: boolean;
    };
  };
}

interface ArmImageProperties {
  provisioningState?: string;
  osType?: string;
  osState?: string;
  hyperVGeneration?: string;
  identifier?: { publisher?: string; offer?: string; sku?: string };
}

interface ArmDiskEncryption {
  diskEncryptionSetId?: string;
  securityProfile?: { confidentialVMEncryptionType?: string };
}

interface ArmVersionProperties {
  provisioningState?: string;
  publishingProfile?: {
    publishedDate?: string;
    excludeFromLatest?: boolean;
    targetRegions?: {
      name: string;
      excludeFromLatest?: boolean;
      encryption?: { osDiskImage?: ArmDiskEncryption; dataDiskImages?: ArmDiskEncryption[] };
    }[];
  };
  storageProfile?: { source?: { id?: string } };
  safetyProfile?: { policyViolations?: { category?: string; details?: string }[] };
}

function readExample<P>(file: string): ArmResource<P> {
  const example = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as {
    responses: { '200': { body: ArmResource<P> } };
  };
  return example.responses['200'].body;
}

function galleryFromArm(body: ArmResource<ArmGalleryProperties>): GalleryFacts {
  const sharing = body.properties.sharingProfile;
  const info = sharing?.communityGalleryInfo;
  return {
    id: body.id,
    name: body.name,
    location: body.location,
    description: body.properties.description,
    provisioningState: body.properties.provisioningState,
    permissions: sharing?.permissions,
    community: info && {
      publisherUri: info.publisherUri,
      publisherContact: info.publisherContact,
      eula: info.eula,
      publicNamePrefix: info.publicNamePrefix,
      publicNames: info.publicNames ?? [],
      communityGalleryEnabled: info.communityGalleryEnabled ?? false,
    },
  };
}

function imageFromArm(
  body: ArmResource<ArmImageProperties>,
  versions: ImageVersionFacts[],
): ImageDefinitionFacts {
  const p = body.properties;
  return {
    id: body.id,
    name: body.name,
    location: body.location,
    provisioningState: p.provisioningState,
    osType: p.osType,
    osState: p.osState,
    hyperVGeneration: p.hyperVGeneration,
    publisher: p.identifier?.publisher,
    offer: p.identifier?.offer,
    sku: p.identifier?.sku,
    versions,
  };
}

function versionFromArm(body: ArmResource<ArmVersionProperties>): ImageVersionFacts {
  const p = body.properties;
  return {
    id: body.id,
    name: body.name,
    location: body.location,
    provisioningState: p.provisioningState,
    publishedDate: p.publishingProfile?.publishedDate,
    excludeFromLatest: p.publishingProfile?.excludeFromLatest ?? false,
    targetRegions: (p.publishingProfile?.targetRegions ?? []).map((region) => {
      const disks = [region.encryption?.osDiskImage, ...(region.encryption?.dataDiskImages ?? [])];
      return {
        name: region.name,
        excludeFromLatest: region.excludeFromLatest ?? false,
        encryption: {
          diskEncryptionSetIds: disks.flatMap((disk) =>
            disk?.diskEncryptionSetId ? [disk.diskEncryptionSetId] : [],
          ),
          confidentialVmEncryptionType:
            region.encryption?.osDiskImage?.securityProfile?.confidentialVMEncryptionType,
        },
      };
    }),
    sourceId: p.storageProfile?.source?.id,
    policyViolations: p.safetyProfile?.policyViolations ?? [],
  };
}

/** The fixture version as Resource Manager returns it: encrypted in West US and flagged unsafe. */
function fixtureVersion(): ImageVersionFacts {
  return versionFromArm(readExample<ArmVersionProperties>('GalleryImageVersion_Get.json'));
}

/** A fixture version without the encryption and the policy violation. */
function cleanVersion(name = '1.0.0'): ImageVersionFacts {
  const version = fixtureVersion();
  return {
    ...version,
    name,
    targetRegions: version.targetRegions.map((region) => ({
      ...region,
      encryption: { diskEncryptionSetIds: [] },
    })),
    policyViolations: [],
  };
}

/**
 * The community gallery of the fixtures, made ready to publish: provisioned, with an e-mail
 * contact and https URLs, holding the fixture image definition with one clean version.
 */
function cleanSnapshot(): GallerySnapshot {
  const gallery = galleryFromArm(readExample<ArmGalleryProperties>('CommunityGallery_Create.json'));
  const image = imageFromArm(readExample<ArmImageProperties>('GalleryImage_Get.json'), [
    cleanVersion(),
  ]);
  return {
    gallery: {
      ...gallery,
      provisioningState: 'Succeeded',
      community: {
        publicNames: [],
        communityGalleryEnabled: false,
        ...gallery.community,
        publisherUri: 'https://contoso.com/',
        eula: 'https://contoso.com/legal/eula.html',
      },
    },
    images: [image],
    applications: [],
    readAt: '2025-01-01T00:00:00Z',
  };
}

function withCommunity(
  snapshot: GallerySnapshot,
  change: Partial<NonNullable<GalleryFacts['community']>>,
): GallerySnapshot {
  const community = {
    publicNames: [],
    communityGalleryEnabled: false,
    ...snapshot.gallery.community,
  };
  return { ...snapshot, gallery: { ...snapshot.gallery, community: { ...community, ...change } } };
}

function withImage(
  snapshot: GallerySnapshot,
  change: Partial<ImageDefinitionFacts>,
): GallerySnapshot {
  const [image] = snapshot.images;
  if (!image) throw new Error('the snapshot has no image definition');
  return { ...snapshot, images: [{ ...image, ...change }] };
}

function withVersion(
  snapshot: GallerySnapshot,
  change: Partial<ImageVersionFacts>,
): GallerySnapshot {
  const [version] = snapshot.images[0]?.versions ?? [];
  if (!version) throw new Error('the snapshot has no image version');
  return withImage(snapshot, { versions: [{ ...version, ...change }] });
}

function codes(findings: readonly Finding[]): string[] {
  return findings.map((finding) => finding.code);
}

function findingWith(findings: readonly Finding[], code: string): Finding {
  const finding = findings.find((candidate) => candidate.code === code);
  if (!finding) throw new Error(`no ${code} finding in ${JSON.stringify(codes(findings))}`);
  return finding;
}

describe('reviewGallery for publish', () => {
  test('clean gallery has no findings', () => {
    expect(reviewGallery(cleanSnapshot(), PUBLISH)).toEqual([]);
  });

  test('fixture version is encrypted and flagged', () => {
    const snapshot = withImage(cleanSnapshot(), { versions: [fixtureVersion()] });

    const findings = reviewGallery(snapshot, PUBLISH);

    const encrypted = findingWith(findings, 'EncryptedImageVersion');
    expect(encrypted.severity).toBe('blocker');
    expect(encrypted.subject).toBe('image myGalleryImageName version 1.0.0');
    expect(encrypted.message).toContain('West US (disk encryption set)');
    expect(encrypted.message).not.toContain('East US');
    const flagged = findingWith(findings, 'PolicyViolation');
    expect(flagged.severity).toBe('blocker');
    expect(flagged.message).toContain(
      '"ImageFlaggedUnsafe": "This is the policy violation details."',
    );
  });
});

describe('sharing permissions check', () => {
  test.each([
    ['no sharing profile', undefined, 'without a sharing profile'],
    ['private permissions', 'Private', 'sharing permission "Private"'],
    ['groups permissions', 'Groups', 'sharing permission "Groups"'],
  ])('%s blocks publishing', (_, permissions, wording) => {
    const snapshot = cleanSnapshot();
    snapshot.gallery = { ...snapshot.gallery, permissions, community: undefined };

    const findings = reviewGallery(snapshot, PUBLISH);

    const finding = findingWith(findings, 'NotCommunityGallery');
    expect(finding.severity).toBe('blocker');
    expect(finding.message).toContain(wording);
    expect(finding.fix).toContain('az sig create --resource-group myResourceGroup');
    expect(finding.fix).toContain('--permissions Community');
    expect(finding.fix).toContain('--location westus');
  });

  test('community permissions in any case pass', () => {
    const snapshot = cleanSnapshot();
    snapshot.gallery = { ...snapshot.gallery, permissions: 'community' };

    expect(codes(reviewGallery(snapshot, PUBLISH))).not.toContain('NotCommunityGallery');
  });
});

describe('government cloud check', () => {
  test.each([
    'https://management.usgovcloudapi.net/',
    'https://MANAGEMENT.USGOVCLOUDAPI.NET./',
    'https://management.usgovcloudapi.net:443/subscriptions',
    'management.usgovcloudapi.net',
  ])('endpoint %s blocks publishing', (endpoint) => {
    const findings = reviewGallery(cleanSnapshot(), {
      resourceManagerEndpoint: endpoint,
      kind: 'publish',
    });

    const finding = findingWith(findings, 'GovernmentCloud');
    expect(finding.severity).toBe('blocker');
    expect(finding.subject).toBe('Resource Manager endpoint');
  });

  test.each([
    'https://management.azure.com/',
    'https://management.chinacloudapi.cn/',
    'https://usgovcloudapi.net.contoso.com/',
    'https://management.azure.com/?next=management.usgovcloudapi.net',
    'not a url at all',
  ])('endpoint %s passes', (endpoint) => {
    const findings = reviewGallery(cleanSnapshot(), {
      resourceManagerEndpoint: endpoint,
      kind: 'publish',
    });

    expect(codes(findings)).not.toContain('GovernmentCloud');
  });
});

describe('encryption check', () => {
  const region = (encryption: ImageVersionFacts['targetRegions'][number]['encryption']) => ({
    name: 'West US',
    excludeFromLatest: false,
    encryption,
  });

  test.each([
    ['disk encryption set', { diskEncryptionSetIds: ['/subscriptions/s/des/a'] }],
    [
      'confidential VM encryption "EncryptedWithCmk"',
      { diskEncryptionSetIds: [], confidentialVmEncryptionType: 'EncryptedWithCmk' },
    ],
  ])('%s blocks publishing', (wording, encryption) => {
    const snapshot = withVersion(cleanSnapshot(), { targetRegions: [region(encryption)] });

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'EncryptedImageVersion');
    expect(finding.message).toContain(`West US (${wording})`);
    expect(finding.fix).toContain('az sig image-version delete');
  });

  test('unencrypted regions pass', () => {
    const snapshot = withVersion(cleanSnapshot(), {
      targetRegions: [region({ diskEncryptionSetIds: [], confidentialVmEncryptionType: '' })],
    });

    expect(codes(reviewGallery(snapshot, PUBLISH))).not.toContain('EncryptedImageVersion');
  });
});

describe('marketplace checks', () => {
  test('purchase plan blocks publishing', () => {
    const snapshot = withImage(cleanSnapshot(), {
      purchasePlan: { name: 'sku1', publisher: 'contoso', product: 'offer1' },
    });

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'MarketplaceImage');
    expect(finding.severity).toBe('blocker');
    expect(finding.message).toContain('publisher "contoso", product "offer1", plan "sku1"');
  });

  test.each([
    '/Subscriptions/00000000-0000-0000-0000-000000000000/Providers/Microsoft.Compute/Locations/westus/Publishers/Canonical/ArtifactTypes/VMImage/Offers/UbuntuServer/Skus/18.04-LTS/Versions/latest',
    '/subscriptions/s/providers/microsoft.compute/locations/westus/publishers/Canonical/artifacttypes/vmimage/offers/UbuntuServer/skus/18.04-LTS/versions/1.0.0',
    '/providers/Microsoft.Compute/locations/westus/publishers/Canonical',
  ])('marketplace source %s blocks publishing', (sourceId) => {
    const snapshot = withVersion(cleanSnapshot(), { sourceId });

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'MarketplaceSource');
    expect(finding.severity).toBe('blocker');
    expect(finding.message).toContain('publisher "Canonical"');
  });

  test.each([
    undefined,
    '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Compute/images/{imageName}',
    '/CommunityGalleries/publicGallery-0000/Images/img/Versions/1.0.0',
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/publishers',
  ])('own source %s passes', (sourceId) => {
    const snapshot = withVersion(cleanSnapshot(), { sourceId });

    expect(codes(reviewGallery(snapshot, PUBLISH))).not.toContain('MarketplaceSource');
  });
});

describe('region checks', () => {
  test('image in other region blocks', () => {
    const snapshot = withImage(cleanSnapshot(), { location: 'East US' });

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'ImageInOtherRegion');
    expect(finding.severity).toBe('blocker');
    expect(finding.message).toContain('"East US", but the gallery is in "West US"');
    expect(finding.fix).toContain('--location westus');
  });

  test('version in other region blocks', () => {
    const snapshot = withVersion(cleanSnapshot(), { location: 'eastus2' });

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'VersionInOtherRegion');
    expect(finding.subject).toBe('image myGalleryImageName version 1.0.0');
  });

  test('differently written same region passes', () => {
    const snapshot = withVersion(withImage(cleanSnapshot(), { location: 'westus' }), {
      location: 'WEST US',
    });

    const found = codes(reviewGallery(snapshot, PUBLISH));
    expect(found).not.toContain('ImageInOtherRegion');
    expect(found).not.toContain('VersionInOtherRegion');
  });
});

describe('secret and private host checks', () => {
  const SAS_EULA =
    'https://contoso.blob.core.windows.net/legal/eula.pdf?sv=2022-11-02&se=2030-01-01&sp=r&sig=abc%3D';

  test('sas token in eula blocks', () => {
    const findings = reviewGallery(withCommunity(cleanSnapshot(), { eula: SAS_EULA }), PUBLISH);

    const finding = findingWith(findings, 'SasTokenInUrl');
    expect(finding.severity).toBe('blocker');
    expect(finding.subject).toBe('gallery EULA');
    expect(finding.message).toContain('SAS token');
    expect(finding.message).toContain('sig');
    expect(finding.message).toContain('https://contoso.blob.core.windows.net/legal/eula.pdf');
    for (const field of [finding.message, finding.fix]) {
      expect(field).not.toContain('abc');
    }
  });

  test.each<[string, Partial<ImageDefinitionFacts>, string]>([
    ['image eula', { eula: `Terms at ${SAS_EULA}` }, 'image myGalleryImageName EULA'],
    [
      'privacy statement',
      { privacyStatementUri: SAS_EULA },
      'image myGalleryImageName privacy statement URI',
    ],
    ['release note', { releaseNoteUri: SAS_EULA }, 'image myGalleryImageName release note URI'],
    [
      'image description',
      { description: `see ${SAS_EULA}.` },
      'image myGalleryImageName description',
    ],
  ])('sas token in %s blocks', (_, change, subject) => {
    const findings = reviewGallery(withImage(cleanSnapshot(), change), PUBLISH);

    const finding = findingWith(findings, 'SasTokenInUrl');
    expect(finding.subject).toBe(subject);
    expect(finding.message).not.toContain('abc');
    expect(finding.fix).toContain('az sig image-definition update');
  });

  test.each([
    ['publisherUri', 'https://contoso.com/?access_token=s3cr3t', 'CredentialInUrl', 'access_token'],
    ['publisherUri', 'https://contoso.com/?API_KEY=s3cr3t', 'CredentialInUrl', 'api_key'],
    ['eula', 'https://admin:s3cr3t@contoso.com/eula', 'UserInfoInUrl', 'user name and password'],
    [
      'publisherContact',
      'mail me at http://10.1.2.3/contact',
      'PrivateHostInUrl',
      'private address',
    ],
    ['eula', 'http://0x7f.1/eula', 'PrivateHostInUrl', 'loopback'],
    ['eula', 'https://wiki.contoso.corp/eula', 'PrivateHostInUrl', '.corp'],
  ] as const)('%s %s blocks', (field, value, code, wording) => {
    const findings = reviewGallery(withCommunity(cleanSnapshot(), { [field]: value }), PUBLISH);

    const finding = findingWith(findings, code);
    expect(finding.severity).toBe('blocker');
    expect(finding.message).toContain(wording);
    expect(finding.message).not.toContain('s3cr3t');
  });

  test('private host in description blocks', () => {
    const snapshot = cleanSnapshot();
    snapshot.gallery = {
      ...snapshot.gallery,
      description: 'Docs: [here](http://localhost:8080/docs)',
    };

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'PrivateHostInUrl');
    expect(finding.subject).toBe('gallery description');
    expect(finding.message).toContain('the local computer');
  });

  test('public links pass', () => {
    const snapshot = withImage(cleanSnapshot(), {
      description: 'See https://contoso.com/docs?page=2&sort=name and www.contoso.com/help.',
      privacyStatementUri: 'https://contoso.com/privacy',
      releaseNoteUri: 'https://contoso.com/notes#v1',
    });

    expect(reviewGallery(snapshot, PUBLISH)).toEqual([]);
  });
});

describe('policy violation check', () => {
  test('violation names category and details', () => {
    const snapshot = withVersion(cleanSnapshot(), {
      policyViolations: [{ category: 'IpTheft', details: 'Contains licensed software.' }, {}],
    });

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'PolicyViolation');
    expect(finding.severity).toBe('blocker');
    expect(finding.message).toContain('"IpTheft": "Contains licensed software."');
    expect(finding.message).toContain('"unknown category"');
  });

  test('no violations pass', () => {
    expect(codes(reviewGallery(cleanSnapshot(), PUBLISH))).not.toContain('PolicyViolation');
  });

  test('reported flag without details blocks', () => {
    const snapshot = withVersion(cleanSnapshot(), { reportedForPolicyViolation: true });

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'PolicyViolation');
    expect(finding.severity).toBe('blocker');
    expect(finding.message).toContain('without details');
  });
});

describe('provisioning state check', () => {
  test('fixture gallery updating blocks', () => {
    const snapshot = cleanSnapshot();
    const created = readExample<ArmGalleryProperties>('CommunityGallery_Create.json');
    snapshot.gallery = {
      ...snapshot.gallery,
      provisioningState: created.properties.provisioningState,
    };

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'NotProvisioned');
    expect(finding.severity).toBe('blocker');
    expect(finding.subject).toBe('gallery');
    expect(finding.message).toContain('"Updating"');
  });

  test('failed version blocks', () => {
    const snapshot = withVersion(cleanSnapshot(), { provisioningState: 'Failed' });

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'NotProvisioned');
    expect(finding.subject).toBe('image myGalleryImageName version 1.0.0');
  });

  test('missing state only warns', () => {
    const snapshot = withImage(cleanSnapshot(), { provisioningState: undefined });

    const findings = reviewGallery(snapshot, PUBLISH);

    const finding = findingWith(findings, 'ProvisioningStateUnknown');
    expect(finding.severity).toBe('warning');
    expect(codes(findings)).not.toContain('NotProvisioned');
  });
});

describe('warning checks', () => {
  test('vm applications warn with count', () => {
    const snapshot = { ...cleanSnapshot(), applications: ['app1', 'app2', 'app3', 'app4', 'app5'] };

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'VmApplicationsNotShared');
    expect(finding.severity).toBe('warning');
    expect(finding.message).toContain('5 VM applications ("app1", "app2", "app3" and 2 more)');
  });

  test('specialized image warns', () => {
    const snapshot = withImage(cleanSnapshot(), { osState: 'Specialized' });

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'SpecializedImage');
    expect(finding.severity).toBe('warning');
    expect(finding.fix).toContain('--os-state Generalized');
  });

  test('generalized image passes', () => {
    expect(codes(reviewGallery(cleanSnapshot(), PUBLISH))).not.toContain('SpecializedImage');
  });

  test('free text contact and urls warn', () => {
    const snapshot = withCommunity(cleanSnapshot(), {
      publisherContact: 'not-an-email',
      publisherUri: 'publisher1',
      eula: 'eula1',
    });

    const findings = reviewGallery(snapshot, PUBLISH);

    expect(codes(findings).sort()).toEqual([
      'EulaNotHttps',
      'PublisherContactNotEmail',
      'PublisherUriNotHttps',
    ]);
    expect(findings.every((finding) => finding.severity === 'warning')).toBe(true);
    expect(findingWith(findings, 'PublisherContactNotEmail').message).toContain('"not-an-email"');
    expect(findingWith(findings, 'PublisherUriNotHttps').message).toContain('"publisher1"');
    expect(findingWith(findings, 'EulaNotHttps').message).toContain('"eula1"');
  });

  test('format warnings withhold secrets', () => {
    const snapshot = withCommunity(cleanSnapshot(), {
      publisherContact: 'https://contoso.com/?token=s3cr3t',
      eula: 'http://contoso.com/eula?sig=s3cr3t',
    });

    const findings = reviewGallery(snapshot, PUBLISH);

    expect(findingWith(findings, 'EulaNotHttps').message).toContain('(not shown because');
    expect(findingWith(findings, 'PublisherContactNotEmail').message).toContain('(not shown');
    for (const finding of findings) {
      expect(finding.message).not.toContain('s3cr3t');
    }
  });

  test.each([
    ['http URL', 'http://contoso.com/eula', 'not https'],
    ['javascript URL', 'javascript:alert(1)', '"javascript:" URL'],
    ['empty value', '', 'is empty'],
    ['whitespace', '   ', 'is empty'],
    ['inner space', 'https://contoso.com/my eula', 'spaces or control characters'],
  ])('eula as %s warns', (_, eula, wording) => {
    const findings = reviewGallery(withCommunity(cleanSnapshot(), { eula }), PUBLISH);

    expect(findingWith(findings, 'EulaNotHttps').message).toContain(wording);
  });

  test('missing community info warns', () => {
    const snapshot = cleanSnapshot();
    snapshot.gallery = { ...snapshot.gallery, community: undefined };

    const found = codes(reviewGallery(snapshot, PUBLISH));

    expect(found).toEqual(['EulaNotHttps', 'PublisherUriNotHttps', 'PublisherContactNotEmail']);
  });

  test('image without versions warns', () => {
    const finding = findingWith(
      reviewGallery(withImage(cleanSnapshot(), { versions: [] }), PUBLISH),
      'NoImageVersion',
    );
    expect(finding.severity).toBe('warning');
    expect(finding.subject).toBe('image myGalleryImageName');
  });

  test('excluded newest version names latest', () => {
    const snapshot = withImage(cleanSnapshot(), {
      versions: [{ ...cleanVersion('1.1.0'), excludeFromLatest: true }, cleanVersion('1.0.0')],
    });

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'LatestVersionExcluded');
    expect(finding.message).toContain('"1.1.0"');
    expect(finding.message).toContain('version "1.0.0" will be listed as latest');
    expect(finding.fix).toContain('--gallery-image-version 1.1.0');
  });

  test('all versions excluded names none', () => {
    const snapshot = withVersion(cleanSnapshot(), { excludeFromLatest: true });

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'LatestVersionExcluded');
    expect(finding.message).toContain('no version will be listed as latest');
  });

  test('empty gallery warns', () => {
    const findings = reviewGallery({ ...cleanSnapshot(), images: [] }, PUBLISH);

    expect(codes(findings)).toEqual(['NoImageDefinitions']);
  });

  test('public fixture gallery is already public', () => {
    const snapshot = cleanSnapshot();
    const shared = galleryFromArm(readExample<ArmGalleryProperties>('CommunityGallery_Get.json'));
    snapshot.gallery = { ...snapshot.gallery, community: shared.community };

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'AlreadyPublic');
    expect(finding.severity).toBe('warning');
    expect(finding.message).toContain('"GalleryPublicName"');
  });
});

describe('reviewGallery for unpublish', () => {
  test('private gallery cannot be unpublished', () => {
    const findings = reviewGallery(cleanSnapshot(), UNPUBLISH);

    expect(codes(findings)).toEqual(['NotPublic', 'DeleteAfterReset', 'ScaleSetsStopScaling']);
    expect(findingWith(findings, 'NotPublic').severity).toBe('blocker');
  });

  test('public gallery warns about scale sets', () => {
    const snapshot = withCommunity(cleanSnapshot(), { communityGalleryEnabled: true });

    const findings = reviewGallery(snapshot, UNPUBLISH);

    expect(findings.every((finding) => finding.severity === 'warning')).toBe(true);
    expect(findingWith(findings, 'ScaleSetsStopScaling').message).toContain('scale out');
    expect(findingWith(findings, 'DeleteAfterReset').fix).toContain(
      'az sig delete --resource-group myResourceGroup --gallery-name myGalleryName',
    );
  });

  test('metadata checks skip unpublish', () => {
    const snapshot = withVersion(
      withCommunity(cleanSnapshot(), {
        communityGalleryEnabled: true,
        eula: 'https://x.blob.core.windows.net/c?sv=1&sig=2',
        publisherContact: 'nobody',
      }),
      { targetRegions: [], provisioningState: 'Failed' },
    );

    expect(codes(reviewGallery(snapshot, UNPUBLISH))).toEqual([
      'DeleteAfterReset',
      'ScaleSetsStopScaling',
    ]);
  });
});

describe('finding order', () => {
  test('blockers first then subject', () => {
    const snapshot = withVersion(
      withImage(withCommunity(cleanSnapshot(), { publisherContact: 'nobody' }), {
        osState: 'Specialized',
        location: 'East US',
      }),
      { policyViolations: [{ category: 'IpTheft' }] },
    );

    const findings = reviewGallery(snapshot, PUBLISH);

    expect(findings.map((finding) => [finding.severity, finding.subject, finding.code])).toEqual([
      ['blocker', 'image myGalleryImageName', 'ImageInOtherRegion'],
      ['blocker', 'image myGalleryImageName version 1.0.0', 'PolicyViolation'],
      ['warning', 'gallery publisher contact', 'PublisherContactNotEmail'],
      ['warning', 'image myGalleryImageName', 'SpecializedImage'],
    ]);
  });
});

describe('alwaysShownNotices', () => {
  test('notices quote the contact information', () => {
    const notices = alwaysShownNotices(cleanSnapshot());

    expect(notices[0]).toContain('"pir@microsoft.com", "https://contoso.com/"');
    expect(notices.join('\n')).toContain('publisher, offer and SKU of the image definition');
    expect(notices.join('\n')).toContain('does not support community images');
    expect(notices.join('\n')).toContain('intellectual property');
  });

  test('notices withhold secret values', () => {
    const snapshot = withCommunity(cleanSnapshot(), {
      eula: 'https://x.blob.core.windows.net/c/eula.pdf?sv=1&sig=s3cr3t',
    });

    const [contactNotice] = alwaysShownNotices(snapshot);

    expect(contactNotice).toContain('"https://contoso.com/" and (not shown because it contains');
    expect(contactNotice).not.toContain('s3cr3t');
  });

  test('notice counts image definitions', () => {
    const snapshot = cleanSnapshot();
    const [image] = snapshot.images;
    if (!image) throw new Error('the snapshot has no image definition');

    const notices = alwaysShownNotices({ ...snapshot, images: [image, image, image] });

    expect(notices[1]).toContain('each of the 3 image definitions');
  });

  test('notice names prefix before sharing', () => {
    const notices = alwaysShownNotices(cleanSnapshot());

    expect(notices).toContain(
      'The gallery\'s public name will be <prefix>-<guid>: the prefix "PirPublic", a hyphen ' +
        'and a GUID that Azure generates.',
    );
  });

  test('notice names actual public names', () => {
    const snapshot = withCommunity(cleanSnapshot(), { publicNames: ['PirPublic-1234'] });

    expect(alwaysShownNotices(snapshot)).toContain(
      'The gallery\'s public name is "PirPublic-1234".',
    );
  });

  test('notices survive missing community info', () => {
    const snapshot = cleanSnapshot();
    snapshot.gallery = { ...snapshot.gallery, community: undefined };

    const notices = alwaysShownNotices(snapshot);

    expect(notices[0]).toContain('"", "" and ""');
    expect(notices.join('\n')).toContain(
      'the public name prefix chosen when the gallery was created',
    );
  });
});

describe('hostile text', () => {
  const HUGE = 'A'.repeat(100_000);
  const HOSTILE_STRINGS = [
    '',
    ' ',
    '\u0000\u0007\u001b[31m',
    '[click](javascript:alert(1))',
    '[https://contoso.com](http://169.254.169.254/latest/meta-data)',
    '${process.exit(1)} {{user}} %s %n',
    '"\'`\\\\\\"',
    'line one\nline two\r\n\tindented',
    '\u202eevil\u202c \u200b\ufeff',
    '👩‍👩‍👧‍👦 🏳️‍🌈 מימין לשמאל عربى',
    'https://',
    'http://[::1',
    'http://%zz%e0%80%80/',
    'https://contoso.com/' + '%25'.repeat(5_000),
    'http:' + 'http:'.repeat(20_000),
    'a.'.repeat(50_000) + '/',
    '.'.repeat(100_000),
    HUGE,
    `https://${HUGE}.com/?sig=${HUGE}`,
    `${'https://10.0.0.1/ '.repeat(600)}`,
  ];

  test.each(HOSTILE_STRINGS.map((value, index) => [index, value]))(
    'hostile string %i never throws',
    (_, value) => {
      const snapshot = withImage(
        withCommunity(cleanSnapshot(), {
          publisherUri: value,
          publisherContact: value,
          eula: value,
          publicNamePrefix: value,
          publicNames: [value],
        }),
        {
          name: value,
          description: value,
          eula: value,
          privacyStatementUri: value,
          releaseNoteUri: value,
          location: value,
          osState: value,
          purchasePlan: { name: value, publisher: value, product: value },
        },
      );
      snapshot.gallery = {
        ...snapshot.gallery,
        name: value,
        description: value,
        permissions: value,
      };

      for (const context of [
        PUBLISH,
        UNPUBLISH,
        { resourceManagerEndpoint: value, kind: 'publish' as const },
      ]) {
        const findings = reviewGallery(snapshot, context);
        for (const finding of findings) {
          expect(finding.message.length).toBeLessThan(3_000);
          expect(finding.fix.length).toBeLessThan(3_000);
          expect(finding.subject.length).toBeLessThan(300);
        }
      }
      for (const notice of alwaysShownNotices(snapshot)) {
        expect(notice.length).toBeLessThan(1_000);
      }
    },
  );

  test('invisible characters are escaped', () => {
    const snapshot = withCommunity(cleanSnapshot(), {
      publisherContact: 'evil\u202e\u0000moc.liam',
    });

    const finding = findingWith(reviewGallery(snapshot, PUBLISH), 'PublisherContactNotEmail');

    expect(finding.message).toContain('"evil\\u202e\\u0000moc.liam"');
  });

  test('more than 500 links warns', () => {
    const description = Array.from({ length: 501 }, (_, i) => `https://contoso.com/${i}`).join(' ');
    const snapshot = withImage(cleanSnapshot(), { description });

    expect(codes(reviewGallery(snapshot, PUBLISH))).toEqual(['UrlScanIncomplete']);
  });
});

describe('review performance', () => {
  test('thousand image definitions stay fast', () => {
    const base = cleanSnapshot();
    const [template] = base.images;
    if (!template) throw new Error('the snapshot has no image definition');
    const images = Array.from({ length: 1_000 }, (_, i) => ({
      ...template,
      name: `image-${i}`,
      description: `Image ${i}, see https://contoso.com/images/${i}?page=1 and www.contoso.com/${i}.`,
      eula: 'https://contoso.com/legal/eula.html',
      privacyStatementUri: 'https://contoso.com/privacy',
      releaseNoteUri: `https://contoso.com/notes/${i}`,
      versions: [cleanVersion('1.2.0'), cleanVersion('1.1.0'), cleanVersion('1.0.0')],
    }));

    const started = performance.now();
    const findings = reviewGallery({ ...base, images }, PUBLISH);
    const elapsedInMs = performance.now() - started;

    expect(findings).toEqual([]);
    expect(elapsedInMs).toBeLessThan(2_000);
  });
});
