const WIDTH = 100;

/** Joins sentences into one paragraph wrapped at 100 columns. */
export function paragraph(...sentences: string[]): string {
  return wrap(sentences.join(' '), '', '');
}

/** Joins sentences into one list item wrapped at 100 columns, continued under its text. */
export function bullet(...sentences: string[]): string {
  return wrap(sentences.join(' '), '- ', '  ');
}

function wrap(text: string, firstPrefix: string, prefix: string): string {
  const lines: string[] = [];
  let line = firstPrefix;
  let lineHasWord = false;
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    if (lineHasWord && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = `${prefix}${word}`;
    } else {
      line = lineHasWord ? `${line} ${word}` : `${line}${word}`;
    }
    lineHasWord = true;
  }
  if (lineHasWord) lines.push(line);
  return lines.join('\n');
}
