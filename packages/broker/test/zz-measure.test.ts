import { it } from 'vitest'
import { startTestBroker, tempDir } from '@tributary/testkit'
import { RawClient } from '@tributary/testkit'
import { FindCoordinatorApi } from '@tributary/protocol'
it('measure', async () => {
  const dir = tempDir()
  let t0 = Date.now()
  const t = await startTestBroker({ dataDir: dir.path })
  console.log('start', Date.now() - t0); t0 = Date.now()
  const c = await RawClient.connect(t.broker.port)
  await c.request(FindCoordinatorApi, 0, { key: 'g' })
  console.log('find (create 50)', Date.now() - t0); t0 = Date.now()
  await c.close()
  await t.broker.close()
  console.log('close', Date.now() - t0); t0 = Date.now()
  const t2 = await startTestBroker({ dataDir: dir.path })
  console.log('restart', Date.now() - t0); t0 = Date.now()
  await t2.broker.close()
  console.log('close2', Date.now() - t0)
  dir.remove()
})
