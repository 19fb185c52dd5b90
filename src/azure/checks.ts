/**
 * The pre-publication review: turns a gallery snapshot into blockers and warnings for making the
 * gallery public (`publish`) or for stopping public sharing (`unpublish`). Pure functions.
 */
import { checkImageDefinition, checkProvisioningState } from './check-images';
import {
  checkHttpsUrl,
  checkPublicTextField,
  checkPublisherContact,
  quoteUnlessSecret,
  type PublicTextField,
} from './check-metadata';
import { commandNamesOf, quoteList, quoteText, type CommandNames } from './check-text';
import type { Finding } from './findings';
import type { GallerySnapshot } from './snapshot';

export interface ReviewContext {
  /** Resource Manager endpoint that the gallery was read from: `https://management.azure.com/`. */
  resourceManagerEndpoint: string;
  kind: 'publish' | 'unpublish';
}

/** Reviews a gallery for the requested change and returns the findings, blockers first. */
export function reviewGallery(snapshot: GallerySnapshot, context: ReviewContext): Finding[] {
  const findings =
    context.kind === 'publish'
      ? reviewPublish(snapshot, context.resourceManagerEndpoint)
      : reviewUnpublish(snapshot);
  return findings.sort(compareFindings);
}

/** Lists the statements that every publish preview shows, whatever the findings. */
export function alwaysShownNotices(snapshot: GallerySnapshot): string[] {
  const community = snapshot.gallery.community;
  const count = snapshot.images.length;
  const images = count === 1 ? 'the image definition' : `each of the ${count} image definitions`;
  const quote = (value: string | undefined) => quoteUnlessSecret(value ?? '');
  return [
    "The gallery's publisher contact e-mail, publisher URI and EULA URL become public: " +
      `${quote(community?.publisherContact)}, ${quote(community?.publisherUri)} and ` +
      `${quote(community?.eula)}.`,
    `The publisher, offer and SKU of ${images} become public, with its description, EULA, ` +
      'privacy statement URI and release note URI.',
    'Every image version becomes usable by anyone with an Azure subscription, and images added ' +
      'to the gallery later become public too, with no new review. Searches list only the latest ' +
      'version of each image.',
    'Microsoft does not support community images and does not scan them for malware or ' +
      'vulnerabilities. Consumers contact the publisher for support.',
    'Images that contain intellectual property you may not distribute, such as licensed ' +
      'software, proprietary code or personal data, must not be shared: anyone can copy them.',
    publicNameNotice(snapshot),
  ];
}

function reviewPublish(snapshot: GallerySnapshot, resourceManagerEndpoint: string): Finding[] {
  const { gallery } = snapshot;
  const names = commandNamesOf(gallery);

  return [
    ...checkCloud(resourceManagerEndpoint),
    ...checkSharingPermissions(snapshot, names),
    ...checkAlreadyPublic(snapshot),
    ...checkProvisioningState(
      `Gallery ${quoteText(gallery.name)}`,
      'gallery',
      gallery.provisioningState,
    ),
    ...checkCommunityInfo(snapshot, names),
    ...checkApplications(snapshot),
    ...checkHasImages(snapshot),
    ...snapshot.images.flatMap((image) => checkImageDefinition(image, names)),
  ];
}

function reviewUnpublish(snapshot: GallerySnapshot): Finding[] {
  const { gallery } = snapshot;
  const names = commandNamesOf(gallery);
  const findings: Finding[] = [];

  if (gallery.community?.communityGalleryEnabled !== true) {
    findings.push({
      severity: 'blocker',
      code: 'NotPublic',
      subject: 'gallery',
      message:
        `Gallery ${quoteText(gallery.name)} is not shared with the community, so there is no ` +
        'sharing to stop.',
      fix: 'Check that the request names the right gallery. A private gallery needs no unpublish.',
    });
  }
  findings.push(
    {
      severity: 'warning',
      code: 'ScaleSetsStopScaling',
      subject: 'gallery',
      message:
        'When sharing stops, existing virtual machine scale sets that use images of this ' +
        'gallery can no longer scale out. Their running VMs keep running.',
      fix:
        'Tell the consumers of the images before approving, through the channels of the ' +
        'publisher contact, and give them time to move to other images.',
    },
    {
      severity: 'warning',
      code: 'DeleteAfterReset',
      subject: 'gallery',
      message:
        'A gallery that is shared with the community can be deleted only after sharing is reset.',
      fix:
        'To delete the gallery, wait until this request has reset sharing, then run ' +
        `\`az sig delete --resource-group ${names.resourceGroup} ` +
        `--gallery-name ${names.galleryName}\`.`,
    },
  );
  return findings;
}

/** Blocks a government cloud, where community galleries are not available. */
function checkCloud(resourceManagerEndpoint: string): Finding[] {
  const host = endpointHost(resourceManagerEndpoint);
  if (host !== 'usgovcloudapi.net' && !host.endsWith('.usgovcloudapi.net')) return [];
  return [
    {
      severity: 'blocker',
      code: 'GovernmentCloud',
      subject: 'Resource Manager endpoint',
      message:
        `The bot reads the gallery from ${quoteText(host)}, a US Government cloud. Community ` +
        'galleries are not available in government clouds.',
      fix:
        'Publish from the Azure public cloud: create a community gallery there and copy the ' +
        'images into it.',
    },
  ];
}

// NOTE: Microsoft's community gallery documentation (share-gallery-community.md, 2023) states
// that an existing private gallery cannot be converted. The Azure CLI, however, added
// `az sig update --permissions Community` for that conversion in 2022 (azure-cli pull request
// 23592). This check follows the documentation until the service behaviour is confirmed.
function checkSharingPermissions(snapshot: GallerySnapshot, names: CommandNames): Finding[] {
  const { gallery } = snapshot;
  const permissions = gallery.permissions;
  if (permissions?.toLowerCase() === 'community') return [];

  const created =
    permissions === undefined || permissions.trim() === ''
      ? 'was created without a sharing profile, so it is a private gallery'
      : `was created with sharing permission ${quoteText(permissions, 40)}, not Community`;
  return [
    {
      severity: 'blocker',
      code: 'NotCommunityGallery',
      subject: 'gallery',
      message:
        `Gallery ${quoteText(gallery.name)} ${created}. An existing gallery cannot be converted ` +
        'to a community gallery.',
      fix:
        'Create a community gallery (`az sig create --resource-group ' +
        `${names.resourceGroup} --gallery-name <new-gallery-name> --location ${names.region} ` +
        '--permissions Community --publisher-uri <https URL> --publisher-email <e-mail address> ' +
        '--eula <https URL> --public-name-prefix <prefix>`), create the image definitions in it, ' +
        'and copy each image version (`az sig image-version create … ' +
        '--managed-image <id of the existing version>`). Then publish the new gallery.',
    },
  ];
}

function checkAlreadyPublic(snapshot: GallerySnapshot): Finding[] {
  const community = snapshot.gallery.community;
  if (community?.communityGalleryEnabled !== true) return [];

  const publicNames =
    community.publicNames.length > 0 ? ` as ${quoteList(community.publicNames)}` : '';
  return [
    {
      severity: 'warning',
      code: 'AlreadyPublic',
      subject: 'gallery',
      message:
        `Gallery ${quoteText(snapshot.gallery.name)} is already shared with the ` +
        `community${publicNames}.`,
      fix: 'Nothing to publish. To stop sharing, request `unpublish` for the gallery.',
    },
  ];
}

function checkCommunityInfo(snapshot: GallerySnapshot, names: CommandNames): Finding[] {
  const { gallery } = snapshot;
  const community = gallery.community;
  const field = (
    subject: string,
    label: string,
    value: string | undefined,
    property: string,
    wholeValueIsUrl: boolean,
  ): PublicTextField => ({
    subject,
    label,
    value,
    wholeValueIsUrl,
    changeCommand: galleryUpdateCommand(names, property),
  });
  const info = 'sharingProfile.communityGalleryInfo';
  const publisherUri = field(
    'gallery publisher URI',
    "The gallery's publisher URI",
    community?.publisherUri,
    `${info}.publisherUri`,
    true,
  );
  const eula = field('gallery EULA', "The gallery's EULA", community?.eula, `${info}.eula`, true);
  const contact = field(
    'gallery publisher contact',
    "The gallery's publisher contact",
    community?.publisherContact,
    `${info}.publisherContact`,
    false,
  );
  const description = field(
    'gallery description',
    "The gallery's description",
    gallery.description,
    'description',
    false,
  );

  return [
    ...[publisherUri, eula, contact, description].flatMap(checkPublicTextField),
    ...checkPublisherContact(community?.publisherContact, contact.changeCommand),
    ...checkHttpsUrl(publisherUri, 'PublisherUriNotHttps'),
    ...checkHttpsUrl(eula, 'EulaNotHttps'),
  ];
}

function checkApplications(snapshot: GallerySnapshot): Finding[] {
  const applications = snapshot.applications;
  if (applications.length === 0) return [];

  const count = applications.length;
  return [
    {
      severity: 'warning',
      code: 'VmApplicationsNotShared',
      subject: 'gallery applications',
      message:
        `The gallery holds ${count} VM ${count === 1 ? 'application' : 'applications'} ` +
        `(${quoteList(applications)}). Community sharing never shares VM applications.`,
      fix:
        'Nothing blocks publishing. Share the applications with the people who need them ' +
        'through role-based access control.',
    },
  ];
}

function checkHasImages(snapshot: GallerySnapshot): Finding[] {
  if (snapshot.images.length > 0) return [];
  return [
    {
      severity: 'warning',
      code: 'NoImageDefinitions',
      subject: 'gallery',
      message:
        'The gallery has no image definitions. Images added after publishing become public ' +
        'with no new review.',
      fix: 'Add the images first, and publish when they are ready.',
    },
  ];
}

function publicNameNotice(snapshot: GallerySnapshot): string {
  const community = snapshot.gallery.community;
  if (community && community.publicNames.length > 0) {
    return `The gallery's public name is ${quoteList(community.publicNames)}.`;
  }
  const prefix = community?.publicNamePrefix
    ? `the prefix ${quoteText(community.publicNamePrefix, 40)}`
    : 'the public name prefix chosen when the gallery was created';
  return (
    `The gallery's public name will be <prefix>-<guid>: ${prefix}, a hyphen and a GUID that ` +
    'Azure generates.'
  );
}

// NOTE: whether Azure accepts a change of `communityGalleryInfo` after the gallery was created
// is not confirmed, so the fix also names the way that always works.
function galleryUpdateCommand(names: CommandNames, property: string): string {
  const command =
    `\`az sig update --resource-group ${names.resourceGroup} ` +
    `--gallery-name ${names.galleryName} --set ${property}=<new value>\``;
  if (!property.startsWith('sharingProfile.')) return command;
  return `${command}, or a new community gallery if Azure rejects the change`;
}

function endpointHost(endpoint: string): string {
  for (const candidate of [endpoint.trim(), `https://${endpoint.trim()}`]) {
    try {
      return new URL(candidate).hostname.replace(/\.+$/, '');
    } catch {
      // Not a URL: try it as a bare host name next.
    }
  }
  return '';
}

function compareFindings(a: Finding, b: Finding): number {
  if (a.severity !== b.severity) return a.severity === 'blocker' ? -1 : 1;
  if (a.subject !== b.subject) return a.subject < b.subject ? -1 : 1;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return 0;
}
