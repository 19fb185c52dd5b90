/**
 * Pre-publication checks of image definitions and image versions: what Azure will not share
 * with the community, and what consumers would find broken or misleading.
 */
import { checkPublicTextField, type PublicTextField } from './check-metadata';
import { commandName, isOtherRegion, plainText, quoteText, type CommandNames } from './check-text';
import type { Finding } from './findings';
import { latestVersion, type ImageDefinitionFacts, type ImageVersionFacts } from './snapshot';

// A Marketplace (platform) image id has the form `/Subscriptions/{id}/Providers/Microsoft.Compute/
// Locations/{region}/Publishers/{publisher}/ArtifactTypes/VMImage/Offers/{offer}/Skus/{sku}/
// Versions/{version}`, as in the example Disk_Create_FromAPlatformImage.json of the Azure REST
// API specification (Azure/azure-rest-api-specs, Microsoft.Compute DiskRP 2024-03-02).
const MARKETPLACE_IMAGE_ID = new RegExp(
  '/providers/microsoft\\.compute/locations/[^/]+/publishers/([^/]+)' +
    '(?:/artifacttypes/vmimage/offers/([^/]+))?',
  'i',
);

const MAX_LISTED_VIOLATIONS = 5;

/** Checks one image definition, its public text fields and each of its versions. */
export function checkImageDefinition(image: ImageDefinitionFacts, names: CommandNames): Finding[] {
  const subject = `image ${plainText(image.name)}`;
  const command = imageCommand(image, names);

  return [
    ...checkProvisioningState(
      `Image definition ${quoteText(image.name)}`,
      subject,
      image.provisioningState,
    ),
    ...checkImageRegion(image, subject, names),
    ...checkPurchasePlan(image, subject, command),
    ...checkOsState(image, subject, names),
    ...checkLatestVersion(image, subject, names),
    ...imageTextFields(image, command).flatMap(checkPublicTextField),
    ...image.versions.flatMap((version) => checkImageVersion(image, version, names)),
  ];
}

/**
 * Reports a blocker when the provisioning state of a resource is known and not `Succeeded`, and a
 * warning when it is missing.
 */
export function checkProvisioningState(
  resource: string,
  subject: string,
  state: string | undefined,
): Finding[] {
  if (state === undefined || state.trim() === '') {
    return [
      {
        severity: 'warning',
        code: 'ProvisioningStateUnknown',
        subject,
        message: `${resource} has no provisioning state, so it is unknown whether it is ready.`,
        fix:
          'Check its state in the Azure portal or with `az sig … show`, and run the review ' +
          'again.',
      },
    ];
  }
  if (state.toLowerCase() === 'succeeded') return [];
  return [
    {
      severity: 'blocker',
      code: 'NotProvisioned',
      subject,
      message: `${resource} is in provisioning state ${quoteText(state, 40)}, not Succeeded.`,
      fix:
        'Wait until the running operation ends and run the review again. If the state is ' +
        'Failed, repeat the last change or delete the resource.',
    },
  ];
}

function checkImageVersion(
  image: ImageDefinitionFacts,
  version: ImageVersionFacts,
  names: CommandNames,
): Finding[] {
  const subject = `image ${plainText(image.name)} version ${plainText(version.name)}`;
  const resource = `Image version ${quoteText(version.name)} of ${quoteText(image.name)}`;
  const deleteCommand =
    `az sig image-version delete ${imageArguments(image, names)} ` +
    `--gallery-image-version ${commandName(version.name, '<version>')}`;

  return [
    ...checkProvisioningState(resource, subject, version.provisioningState),
    ...checkVersionRegion(version, resource, subject, names),
    ...checkEncryption(version, resource, subject, deleteCommand),
    ...checkVersionSource(version, resource, subject, deleteCommand),
    ...checkPolicyViolations(version, resource, subject, deleteCommand),
  ];
}

function checkImageRegion(
  image: ImageDefinitionFacts,
  subject: string,
  names: CommandNames,
): Finding[] {
  if (!isOtherRegion(image.location, names)) return [];
  return [
    {
      severity: 'blocker',
      code: 'ImageInOtherRegion',
      subject,
      message:
        `Image definition ${quoteText(image.name)} is in ${quoteText(image.location, 40)}, ` +
        `but the gallery is in ${quoteText(names.location, 40)}. Azure shares only image ` +
        "definitions and versions in the gallery's region.",
      fix:
        `Create the image definition again in ${names.region} (\`az sig image-definition create ` +
        `--resource-group ${names.resourceGroup} --gallery-name ${names.galleryName} --location ` +
        `${names.region} …\`), copy its versions into it, and delete this one.`,
    },
  ];
}

function checkVersionRegion(
  version: ImageVersionFacts,
  resource: string,
  subject: string,
  names: CommandNames,
): Finding[] {
  if (!isOtherRegion(version.location, names)) return [];
  return [
    {
      severity: 'blocker',
      code: 'VersionInOtherRegion',
      subject,
      message:
        `${resource} is in ${quoteText(version.location, 40)}, but the gallery is in ` +
        `${quoteText(names.location, 40)}. Azure shares only image versions in the ` +
        "gallery's region.",
      fix:
        `Create the version again in ${names.region} with this version as its source ` +
        `(\`az sig image-version create … --location ${names.region} --managed-image ` +
        `<id of this version>\`), then delete this one.`,
    },
  ];
}

function checkPurchasePlan(
  image: ImageDefinitionFacts,
  subject: string,
  command: ImageCommand,
): Finding[] {
  const plan = image.purchasePlan;
  if (!plan) return [];

  const parts = [
    plan.publisher ? `publisher ${quoteText(plan.publisher, 40)}` : '',
    plan.product ? `product ${quoteText(plan.product, 40)}` : '',
    plan.name ? `plan ${quoteText(plan.name, 40)}` : '',
  ].filter((part) => part !== '');
  const described = parts.length > 0 ? ` (${parts.join(', ')})` : '';
  return [
    {
      severity: 'blocker',
      code: 'MarketplaceImage',
      subject,
      message:
        `Image definition ${quoteText(image.name)} carries the purchase plan of an Azure ` +
        `Marketplace image${described}. Azure does not share images made from Marketplace images.`,
      fix:
        'Build the image from a source you hold the rights to, in a new image definition ' +
        `without a purchase plan, and delete this one (\`${command.delete}\`).`,
    },
  ];
}

function checkOsState(
  image: ImageDefinitionFacts,
  subject: string,
  names: CommandNames,
): Finding[] {
  if (image.osState?.toLowerCase() !== 'specialized') return [];
  return [
    {
      severity: 'warning',
      code: 'SpecializedImage',
      subject,
      message:
        `Image definition ${quoteText(image.name)} is Specialized: its VMs keep the user ` +
        'accounts and machine-specific data of the source. Community images should be generalized.',
      fix:
        'Generalize the source VM (Sysprep on Windows, `waagent -deprovision+user` on Linux), ' +
        'create a generalized image definition (`az sig image-definition create --resource-group ' +
        `${names.resourceGroup} --gallery-name ${names.galleryName} ` +
        '--os-state Generalized …`) ' +
        'and a version in it from that VM.',
    },
  ];
}

function checkLatestVersion(
  image: ImageDefinitionFacts,
  subject: string,
  names: CommandNames,
): Finding[] {
  const newest = image.versions[0];
  if (!newest) {
    return [
      {
        severity: 'warning',
        code: 'NoImageVersion',
        subject,
        message:
          `Image definition ${quoteText(image.name)} has no version, so consumers see it but ` +
          'cannot create a VM from it.',
        fix:
          `Create a version (\`az sig image-version create ${imageArguments(image, names)} ` +
          '…`) or delete the definition (`az sig image-definition delete ' +
          `${imageArguments(image, names)}\`).`,
      },
    ];
  }
  if (!newest.excludeFromLatest) return [];

  const latest = latestVersion(image);
  const outcome = latest
    ? `version ${quoteText(latest.name)} will be listed as latest`
    : 'no version will be listed as latest, because every other version is excluded too';
  return [
    {
      severity: 'warning',
      code: 'LatestVersionExcluded',
      subject,
      message:
        `The newest version ${quoteText(newest.name)} of image ${quoteText(image.name)} is ` +
        `excluded from latest, so ${outcome}.`,
      fix:
        'If consumers should get the newest version, include it in latest (`az sig image-version ' +
        `update ${imageArguments(image, names)} --gallery-image-version ` +
        `${commandName(newest.name, '<version>')} ` +
        '--set publishingProfile.excludeFromLatest=false`).',
    },
  ];
}

function checkEncryption(
  version: ImageVersionFacts,
  resource: string,
  subject: string,
  deleteCommand: string,
): Finding[] {
  const encrypted = version.targetRegions.flatMap((region) => {
    const { diskEncryptionSetIds, confidentialVmEncryptionType } = region.encryption;
    const kinds = [
      diskEncryptionSetIds.length > 0 ? 'disk encryption set' : '',
      confidentialVmEncryptionType
        ? `confidential VM encryption ${quoteText(confidentialVmEncryptionType, 40)}`
        : '',
    ].filter((kind) => kind !== '');
    return kinds.length > 0 ? [`${plainText(region.name, 40)} (${kinds.join(', ')})`] : [];
  });
  if (encrypted.length === 0) return [];
  return [
    {
      severity: 'blocker',
      code: 'EncryptedImageVersion',
      subject,
      message:
        `${resource} is encrypted in ${encrypted.join('; ')}. Azure does not share encrypted ` +
        'images with the community.',
      fix:
        'Create a new version without encryption in any target region (`az sig image-version ' +
        'create …` without `--target-region-encryption`), then delete this one ' +
        `(\`${deleteCommand}\`).`,
    },
  ];
}

function checkVersionSource(
  version: ImageVersionFacts,
  resource: string,
  subject: string,
  deleteCommand: string,
): Finding[] {
  const match = MARKETPLACE_IMAGE_ID.exec(version.sourceId ?? '');
  if (!match) return [];

  const publisher = quoteText(decodeSegment(match[1] ?? ''), 40);
  const offer = match[2] ? `, offer ${quoteText(decodeSegment(match[2]), 40)}` : '';
  return [
    {
      severity: 'blocker',
      code: 'MarketplaceSource',
      subject,
      message:
        `${resource} was created from an Azure Marketplace image ` +
        `(publisher ${publisher}${offer}). ` +
        'Azure does not share images made from Marketplace images.',
      fix:
        'Build the version from a source you hold the rights to, such as your own VHD, and ' +
        `delete this one (\`${deleteCommand}\`).`,
    },
  ];
}

function checkPolicyViolations(
  version: ImageVersionFacts,
  resource: string,
  subject: string,
  deleteCommand: string,
): Finding[] {
  if (version.policyViolations.length === 0) {
    if (!version.reportedForPolicyViolation) return [];
    return [
      {
        severity: 'blocker',
        code: 'PolicyViolation',
        subject,
        message: `${resource} is reported for a policy violation, without details from Azure.`,
        fix:
          `Do not publish this version: delete it (\`${deleteCommand}\`). If the report is wrong, ` +
          'ask Azure support to review it before publishing.',
      },
    ];
  }

  const listed = version.policyViolations.slice(0, MAX_LISTED_VIOLATIONS).map((violation) => {
    const category = quoteText(violation.category ?? 'unknown category', 40);
    return violation.details ? `${category}: ${quoteText(violation.details, 200)}` : category;
  });
  const rest = version.policyViolations.length - listed.length;
  const more = rest > 0 ? ` and ${rest} more` : '';
  return [
    {
      severity: 'blocker',
      code: 'PolicyViolation',
      subject,
      message: `${resource} is flagged for a policy violation: ${listed.join('; ')}${more}.`,
      fix:
        `Do not publish this version: delete it (\`${deleteCommand}\`). If the flag is wrong, ` +
        'ask Azure support to review it before publishing.',
    },
  ];
}

interface ImageCommand {
  update: (property: string) => string;
  delete: string;
}

function imageTextFields(image: ImageDefinitionFacts, command: ImageCommand): PublicTextField[] {
  const subject = `image ${plainText(image.name)}`;
  const label = `image definition ${quoteText(image.name)}`;
  const field = (name: string, property: string, value: string | undefined, isUrl: boolean) => ({
    subject: `${subject} ${name}`,
    label: `The ${name} of ${label}`,
    value,
    wholeValueIsUrl: isUrl,
    changeCommand: command.update(property),
  });
  return [
    field('description', 'description', image.description, false),
    field('EULA', 'eula', image.eula, false),
    field('privacy statement URI', 'privacyStatementUri', image.privacyStatementUri, true),
    field('release note URI', 'releaseNoteUri', image.releaseNoteUri, true),
  ];
}

function imageCommand(image: ImageDefinitionFacts, names: CommandNames): ImageCommand {
  const target = imageArguments(image, names);
  return {
    update: (property) =>
      `\`az sig image-definition update ${target} --set ${property}=<new value>\``,
    delete: `az sig image-definition delete ${target}`,
  };
}

function imageArguments(image: ImageDefinitionFacts, names: CommandNames): string {
  return (
    `--resource-group ${names.resourceGroup} --gallery-name ${names.galleryName} ` +
    `--gallery-image-definition ${commandName(image.name, '<image-definition>')}`
  );
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
