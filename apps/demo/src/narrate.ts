// Narrated output: a heading per step, the concept in a sentence, then what was observed.
// Colours only when stdout is a terminal (and NO_COLOR is not set).

const useColour = process.stdout.isTTY === true && !process.env.NO_COLOR

const paint = (code: string) => (text: string) => (useColour ? `\x1b[${code}m${text}\x1b[0m` : text)
export const bold = paint('1')
export const dim = paint('2')
export const green = paint('32')
export const red = paint('31')
export const cyan = paint('36')

export function heading(index: number, total: number, title: string): void {
  console.log(`\n${bold(cyan(`== Step ${index}/${total}: ${title}`))}`)
}

export function concept(text: string): void {
  console.log(dim(text))
}

/** One observed result, indented under the step. */
export function observe(text: string): void {
  console.log(`  ${text}`)
}

export function passed(ms: number): void {
  console.log(`  ${green('✓ check passed')} ${dim(`(${ms} ms)`)}`)
}

export function failed(message: string): void {
  console.log(`  ${red(`✗ check failed: ${message}`)}`)
}
