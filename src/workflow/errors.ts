/**
 * A request the workflow cannot carry out as asked: the message is shown to the user as is,
 * and `code` is stable for logs and tests.
 */
export class WorkflowError extends Error {
  constructor(
    readonly code:
      | 'RequestNotFound'
      | 'NotRequester'
      | 'NotApprover'
      | 'SelfApproval'
      | 'WrongState'
      | 'Expired'
      | 'HasBlockers'
      | 'AlreadyPublic'
      | 'MetadataChanged'
      | 'BotLacksPermission'
      | 'ReasonRequired'
      | 'JustificationRequired'
      | 'InvalidInput',
    message: string,
    readonly details: { changes?: string[] } = {},
  ) {
    super(message);
    this.name = 'WorkflowError';
  }
}
