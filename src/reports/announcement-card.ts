import type { AdaptiveCard } from '../cards/adaptive-card';
import { formatTime } from '../cards/text';
import { personName } from '../cards/view-parts';
import type { PublishRequest } from '../workflow/request';
import {
  adaptiveCard,
  buildWithinBudget,
  container,
  heading,
  labelled,
  paragraph,
  textRun,
} from './card-elements';

const VALUE_LIMITS = [300, 80] as const;

/** Renders the channel announcement that a gallery became public or stopped being public. */
export function announcementCard(request: PublishRequest): AdaptiveCard {
  const unpublish = request.kind === 'unpublish';
  return buildWithinBudget('announcement', VALUE_LIMITS, (maxChars) => {
    const short = { maxChars };
    const body = [
      container(
        [
          heading(unpublish ? 'Gallery no longer public' : 'Gallery made public'),
          paragraph([
            textRun(
              unpublish
                ? 'Public sharing of this gallery stopped. Azure customers can no longer find ' +
                    'its images or create virtual machines from them, and existing scale sets ' +
                    'that use them can no longer scale out. The gallery can now be deleted.'
                : 'Every Azure customer can now list the images of this gallery and create ' +
                    'virtual machines from them.',
            ),
          ]),
        ],
        { style: unpublish ? 'warning' : 'good' },
      ),
      labelled('Gallery', request.gallery.galleryName, short),
      labelled('Resource group', request.gallery.resourceGroup, short),
      labelled('Subscription', request.gallery.subscriptionId, { monospace: true }),
    ];
    if (!unpublish && request.publicNames && request.publicNames.length > 0) {
      body.push(labelled('Public name', request.publicNames.join(', '), short));
    }
    body.push(labelled('Requested by', personName(request.requester), short));
    if (request.justification) {
      body.push(labelled('Justification', request.justification, short));
    }
    if (request.decision) {
      body.push(
        labelled(
          'Approved by',
          `${personName(request.decision.by)} at ${formatTime(request.decision.at)}`,
          short,
        ),
      );
    }
    body.push(
      labelled('Finished', formatTime(request.share?.finishedAt ?? request.updatedAt)),
      labelled('Request id', request.id, { monospace: true }),
    );
    return adaptiveCard(
      body,
      unpublish
        ? 'Gallery Approvals: gallery no longer public'
        : 'Gallery Approvals: gallery made public',
    );
  });
}
