import { randomBytes } from 'node:crypto';
import { hasBlocker } from '../azure/findings';
import { WorkflowError } from './errors';
import type { Person, PublishRequest } from './request';

const MAX_JUSTIFICATION_LENGTH = 1000;
const MAX_REASON_LENGTH = 1000;

/** Raises unless a draft may be submitted with this justification. */
export function assertSubmittable(draft: PublishRequest, justification: string): void {
  if (justification === '') {
    throw new WorkflowError(
      'JustificationRequired',
      'Say why this gallery should be public, then submit again.',
    );
  }
  if (justification.length > MAX_JUSTIFICATION_LENGTH) {
    throw new WorkflowError(
      'InvalidInput',
      `The justification is ${justification.length} characters; keep it under ${MAX_JUSTIFICATION_LENGTH}.`,
    );
  }
  if (hasBlocker(draft.findings)) {
    throw new WorkflowError(
      'HasBlockers',
      'This gallery has blockers. Fix them and ask for a new preview.',
    );
  }
  if (draft.findings.some((finding) => finding.code === 'AlreadyPublic')) {
    throw new WorkflowError(
      'AlreadyPublic',
      'This gallery is already public, so there is nothing to approve.',
    );
  }
}

/** Raises unless the reason fits the outcome: a denial needs one. */
export function assertReason(outcome: 'approved' | 'denied', reason: string): void {
  if (outcome === 'denied' && reason === '') {
    throw new WorkflowError(
      'ReasonRequired',
      'Give a reason for the denial; the requester will see it.',
    );
  }
  if (reason.length > MAX_REASON_LENGTH) {
    throw new WorkflowError(
      'InvalidInput',
      `The reason is ${reason.length} characters; keep it under ${MAX_REASON_LENGTH}.`,
    );
  }
}

/** Tells whether the request already carries this user's decision with this outcome. */
export function isSameDecision(
  request: PublishRequest,
  user: Person,
  outcome: 'approved' | 'denied',
): boolean {
  return (
    request.decision?.outcome === outcome && request.decision.by.aadObjectId === user.aadObjectId
  );
}

/** Builds the rejection of a late click, naming who decided and when if anyone did. */
export function wrongState(request: PublishRequest, action: string): WorkflowError {
  const decision = request.decision;
  const decided = decision
    ? ` It was ${decision.outcome} by ${decision.by.name ?? decision.by.aadObjectId} at ${decision.at}.`
    : '';
  return new WorkflowError(
    'WrongState',
    `This request is ${request.state}, so it cannot be ${action}.${decided}`,
  );
}

/** Makes a short request id that people can type: `r-` and ten lowercase letters or digits. */
export function newRequestId(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(10);
  return `r-${[...bytes].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}
