// Resume tokens for event streams: an event's position in commit order, opaque to clients.
import { QueryArgumentError } from '../registry/errors.js';

const PREFIX = 'event:';

export function encodeEventCursor(position: number): string {
  return Buffer.from(`${PREFIX}${position}`).toString('base64url');
}

/** The position a resume token stands for; a malformed token is a clear argument error. */
export function decodeEventCursor(cursor: string, argument = 'after'): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const position = text.startsWith(PREFIX) ? Number(text.slice(PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(position) || position < 0 || encodeEventCursor(position) !== cursor.replace(/=+$/, '')) {
    throw new QueryArgumentError(`Malformed event cursor in '${argument}'`, argument);
  }
  return position;
}
