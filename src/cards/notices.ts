import type { RequestKind } from '../workflow/request';

const PUBLISH_NOTICES: readonly string[] = [
  'Every Azure customer will be able to list these images and create virtual machines from them.',
  'Nobody scans the images for intellectual property, licenses or secrets. Publish only images ' +
    'that you have the right to distribute and that contain no credentials.',
  'Image definitions and versions added to this gallery later become public too, ' +
    'with no new review.',
  'Stopping public sharing later stops existing scale sets that use these images from scaling out.',
];

const UNPUBLISH_NOTICES: readonly string[] = [
  'Existing virtual machine scale sets that use these images will no longer be able to scale out.',
  'Azure customers will no longer be able to find these images or create virtual ' +
    'machines from them.',
];

/** Returns the notices that cards show for every request of this kind. */
export function defaultNotices(kind: RequestKind): readonly string[] {
  return kind === 'publish' ? PUBLISH_NOTICES : UNPUBLISH_NOTICES;
}
