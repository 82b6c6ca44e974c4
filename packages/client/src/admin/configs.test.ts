import { API_DEFINITIONS, AlterConfigsApi, DescribeConfigsApi, IncrementalAlterConfigsApi, MetadataApi, type AlterConfigsRequest } from '@tributary/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { startFrameServer, type FrameServer } from '../../test/helpers/frame-server.js'
import { silentLogger } from '../options/logger.js'
import { Admin } from './admin.js'

let server: FrameServer | undefined
let admin: Admin | undefined
afterEach(async () => {
  await admin?.close()
  await server?.close()
  admin = server = undefined
})

describe('alterConfigs on a broker without IncrementalAlterConfigs', () => {
  it('reads the explicitly set configs, applies the operations and sends the whole set with AlterConfigs', async () => {
    const versions = API_DEFINITIONS.filter((a) => a !== undefined && a.apiKey !== IncrementalAlterConfigsApi.apiKey).map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion }))
    let sent: AlterConfigsRequest | undefined
    server = await startFrameServer(
      (req, reply) => {
        if (req.apiKey === MetadataApi.apiKey) return reply.send(MetadataApi, { brokers: [{ nodeId: 1, host: '127.0.0.1', port: server!.port }], controllerId: 1 })
        if (req.apiKey === DescribeConfigsApi.apiKey) {
          return reply.send(DescribeConfigsApi, {
            results: [
              {
                resourceType: 2,
                resourceName: 'orders',
                configs: [
                  { name: 'retention.ms', value: '1000', configSource: 1 },
                  { name: 'cleanup.policy', value: 'delete', configSource: 5 },
                  { name: 'segment.ms', value: '60000', configSource: 1 },
                  { name: 'max.message.bytes', value: '2000', configSource: 1 },
                ],
              },
            ],
          })
        }
        if (req.apiKey === AlterConfigsApi.apiKey) {
          sent = reply.body as AlterConfigsRequest
          return reply.send(AlterConfigsApi, { responses: [{ resourceType: 2, resourceName: 'orders' }] })
        }
      },
      { versions },
    )
    admin = new Admin({ bootstrapServers: server.address, logger: silentLogger })
    await admin.alterConfigs([
      {
        type: 'topic',
        name: 'orders',
        ops: [
          { name: 'retention.ms', value: '5000' },
          { name: 'segment.ms', op: 'delete' },
          { name: 'cleanup.policy', op: 'append', value: 'compact' },
        ],
      },
    ])
    expect(server.requests.some((r) => r.apiKey === IncrementalAlterConfigsApi.apiKey)).toBe(false)
    expect(sent!.resources).toHaveLength(1)
    expect(Object.fromEntries(sent!.resources[0]!.configs.map((c) => [c.name, c.value]))).toEqual({
      'retention.ms': '5000',
      'max.message.bytes': '2000',
      'cleanup.policy': 'delete,compact',
    })
  })
})
