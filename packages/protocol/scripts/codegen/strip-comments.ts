/**
 * Removes `//` line comments (and `/* … *\/` block comments) from the JSON-with-comments the message
 * definitions use, leaving string contents untouched, so that `JSON.parse` can read the result.
 * Line breaks are kept so that parse errors still point at the right line.
 */
export function stripComments(text: string): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      const start = i
      i++
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
      i++
      out += text.slice(start, i)
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      const stop = end === -1 ? text.length : end + 2
      out += text.slice(i, stop).replace(/[^\n]/g, '')
      i = stop
    } else {
      out += c
      i++
    }
  }
  return out
}
