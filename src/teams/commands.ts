/** A command line split into its verb and arguments. */
export interface ParsedCommand {
  name: string;
  args: string[];
}

const MAX_COMMAND_LENGTH = 4096;

/**
 * Parses the text of a message: drops `<at>…</at>` mentions and HTML that Teams adds in
 * channels, lower-cases the verb and splits the rest on white space.
 */
export function parseCommand(text: string | undefined): ParsedCommand {
  const plain = (text ?? '')
    .slice(0, MAX_COMMAND_LENGTH)
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .trim();
  const [name = '', ...args] = plain.split(/\s+/).filter((part) => part !== '');
  return { name: name.toLowerCase(), args };
}
