import template from '../../cards/help.json';
import { expandTemplate, type AdaptiveCard } from './adaptive-card';

interface CommandHelp {
  syntax: string;
  description: string;
  examples: string[];
}

/** The bot's commands, as users type them. */
export const COMMAND_HELP: readonly CommandHelp[] = [
  {
    syntax: 'publish <gallery>',
    description:
      'Shows what would become public and what blocks it. ' +
      'Submit from the card to ask for approval.',
    examples: ['publish sandbox-rg/readyGallery'],
  },
  {
    syntax: 'unpublish <gallery>',
    description: 'Shows the same review for stopping public sharing. Submit from the card.',
    examples: ['unpublish sandbox-rg/readyGallery'],
  },
  {
    syntax: 'status [request-id]',
    description: 'Lists your open requests, or shows one request.',
    examples: ['status'],
  },
  {
    syntax: 'report <public-gallery-name> [image] [version]',
    description: 'Opens a form to report abuse of a public gallery.',
    examples: ['report contoso-1a2b3c4d ubuntu-22 1.0.0'],
  },
  {
    syntax: 'subscribe approvals | subscribe abuse-reports',
    description: 'In a team channel: posts approval cards or abuse reports to this channel.',
    examples: ['subscribe approvals'],
  },
  {
    syntax: 'unsubscribe approvals | unsubscribe abuse-reports',
    description: 'In a team channel: stops posting them to this channel.',
    examples: ['unsubscribe abuse-reports'],
  },
  {
    syntax: 'audit <gallery or request-id>',
    description: 'Shows the audit trail of a gallery or of a request.',
    examples: ['audit sandbox-rg/readyGallery'],
  },
  { syntax: 'help', description: 'Shows this list.', examples: [] },
];

/** The ways to name a gallery in `publish`, `unpublish` and `audit`. */
const GALLERY_FORMS: readonly { syntax: string; note: string }[] = [
  {
    syntax:
      '/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Compute/galleries/{name}',
    note: '',
  },
  { syntax: '{group}/{name}', note: ' in the default subscription' },
  { syntax: 'https://portal.azure.com/…', note: ": the gallery's Azure portal URL" },
];

/** Renders the list of commands with examples. */
export function helpCard(): AdaptiveCard {
  return expandTemplate(template, { commands: COMMAND_HELP, galleryForms: GALLERY_FORMS });
}
