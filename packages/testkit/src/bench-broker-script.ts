/**
 * The bench's broker, in a process of its own so that it does not share the measured clients' CPU:
 * `node --conditions=source --import tsx bench-broker-script.ts <dataDir>`. File storage in `dataDir`,
 * no initial rebalance delay; prints `{"port":N}` once listening and closes cleanly on SIGTERM.
 */
import { startBroker } from '@tributary/broker'

const dataDir = process.argv[2]
if (!dataDir) {
  console.error('usage: bench-broker-script.ts <dataDir>')
  process.exit(2)
}
const quiet = () => {}
const broker = await startBroker({
  port: 0,
  host: '127.0.0.1',
  dataDir,
  configs: { 'group.initial.rebalance.delay.ms': '0' },
  logger: { debug: quiet, info: quiet, warn: (m) => console.error(`broker: ${m}`), error: (m) => console.error(`broker: ${m}`) },
})
process.stdout.write(`${JSON.stringify({ port: broker.port })}\n`)
process.once('SIGTERM', () => {
  void broker.close().then(() => process.exit(0))
})
