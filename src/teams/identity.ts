import type { Activity } from 'botbuilder';
import type { Person } from '../workflow/request';

/**
 * Takes the acting user from the activity that Teams (or the Bot Connector) signed, never from
 * card data. Returns undefined when the activity carries no Azure AD object id.
 */
export function personFromActivity(activity: Partial<Activity>): Person | undefined {
  const from = activity.from;
  if (!from || typeof from.aadObjectId !== 'string' || from.aadObjectId.trim() === '')
    return undefined;
  return {
    aadObjectId: from.aadObjectId,
    name: typeof from.name === 'string' ? from.name.slice(0, 200) : undefined,
    teamsUserId: typeof from.id === 'string' ? from.id : undefined,
  };
}
