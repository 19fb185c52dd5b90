import { ActivityHandler, MessageFactory } from 'botbuilder';

/**
 * The baseline: a bot that replies to every message with its text. It runs behind the same
 * `startServer` (restify, body parser, CloudAdapter) as Gallery Approvals, so the difference
 * between the two is the bot's own work.
 */
export class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(MessageFactory.text(`Echo: ${context.activity.text ?? ''}`));
      await next();
    });
  }
}
