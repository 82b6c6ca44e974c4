import { randomBytes } from 'node:crypto'

/** A topic name no other test uses. */
export function randomTopic(prefix = 'topic'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`
}

/** A group id no other test uses. */
export function randomGroup(prefix = 'group'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`
}
