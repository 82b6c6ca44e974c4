/**
 * The protocol fuzzer's command line:
 *
 * ```sh
 * node --conditions=source --import tsx packages/broker/fuzz/run.ts --frames 100000 [--seed 1] [--connections 8] [--json report.json]
 * ```
 *
 * Starts a broker in a child process, sends it `--frames` requests mutated from valid requests of
 * every API and version it serves, while a well-behaved client produces and fetches on another
 * connection and the broker's memory is sampled; prints what happened and exits 1 when the broker
 * crashed, logged an error, or stopped serving the well-behaved client. The same seed sends the
 * same frames.
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { mb, runFuzzSession } from './session.js'

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    connections: { type: 'string', default: '8' },
    json: { type: 'string' },
  },
})
const count = (name: string, raw: string | undefined): number => {
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer, not ${JSON.stringify(raw)}`)
    process.exit(2)
  }
  return n
}

const report = await runFuzzSession({
  frames: count('frames', values.frames),
  seed: count('seed', values.seed),
  connections: count('connections', values.connections),
  progress: (line) => console.log(line),
})
const { campaign, steady, memory } = report
console.log(
  [
    `seed ${report.seed}: ${campaign.framesSent} frames over ${report.apiVersions} versions of ${report.apis} APIs in ${(campaign.durationMs / 1000).toFixed(1)} s`,
    `  ${campaign.answered} answered, ${campaign.closedByBroker} connections closed by the broker, ${campaign.slowWindows} slow windows`,
    `  broker memory: RSS ${mb(memory.startRss)} at start, peak ${mb(memory.peakRss)}, ${mb(memory.endRss)} at the end; heap after GC ${mb(memory.startHeapUsed)} -> ${mb(memory.endHeapUsed)} (peak ${mb(memory.peakHeapUsed)}), heap and buffers after GC ${mb(memory.startRetained)} -> ${mb(memory.endRetained)}; ${memory.samples} samples`,
    `  well-behaved client: ${steady.rounds} produce+fetch rounds, slowest operation ${steady.slowestMs} ms, ${steady.failures.length} failures${steady.failures.length ? `: ${steady.failures.join('; ')}` : ''}`,
    `  state left: ${report.state ? `${report.state.topics} topics (${report.state.partitions} partitions), ${report.state.groups} groups, ${report.state.transactionalIds} transactional ids` : 'none (crashed)'}`,
    `  broker: ${report.crashed ?? 'still running and answering'}; ${report.errorLines.length} ERROR lines${report.errorLines.length ? `:\n    ${report.errorLines.join('\n    ')}` : ''}`,
  ].join('\n'),
)
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2))
process.exit(report.crashed || report.errorLines.length > 0 || steady.failures.length > 0 ? 1 : 0)
