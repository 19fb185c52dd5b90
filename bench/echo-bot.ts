import { ActivityHandler, MessageFactory } from 'botbuilder';
import type { PlainGalleryReader } from './plain-reads';

/** Command word of a message that makes the echo bot read a gallery before it replies. */
export const READ_COMMAND = 'read';

/**
 * The baseline: a bot that replies to every message with its text. It runs behind the same
 * `startServer` (restify, body parser, CloudAdapter) as Gallery Approvals, so the difference
 * between the two is the bot's own work. Given a reader, it replies to `read <gallery id>` only
 * after it has read that gallery with the inspection's requests over plain HTTPS.
 */
export class EchoBot extends ActivityHandler {
  constructor(reader?: PlainGalleryReader) {
    super();
    this.onMessage(async (context, next) => {
      const text = context.activity.text ?? '';
      const [command, galleryId] = text.trim().split(/\s+/);
      if (reader && command === READ_COMMAND && galleryId) {
        const imageCount = await reader.read(galleryId);
        await context.sendActivity(MessageFactory.text(`Echo: read ${imageCount} images`));
      } else {
        await context.sendActivity(MessageFactory.text(`Echo: ${text}`));
      }
      await next();
    });
  }
}
