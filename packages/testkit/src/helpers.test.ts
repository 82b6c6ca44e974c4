import { ApiVersionsApi, ErrorCode, MetadataApi } from '@tributary/protocol'
import { describe, expect, it } from 'vitest'
import { KCAT_MISSING, findKcat, requireKcat, runKcat } from './kcat.js'
import { RawClient } from './raw-client.js'
import { readRecords, textBatch } from './records.js'
import { startTestBroker, tempDir } from './broker-harness.js'
import { randomTopic } from './topics.js'
import { waitFor } from './wait-for.js'

describe('randomTopic', () => {
  it('makes distinct names that are legal Kafka topic names', () => {
    const names = new Set(Array.from({ length: 100 }, () => randomTopic('orders')))
    expect(names.size).toBe(100)
    for (const n of names) expect(n).toMatch(/^orders-[a-z0-9]+-[0-9a-f]{8}$/)
  })
})

describe('waitFor', () => {
  it('returns the first passing value, retrying through falsy results and exceptions', async () => {
    let calls = 0
    const value = await waitFor(() => {
      calls++
      if (calls === 1) throw new Error('not yet')
      return calls >= 3 ? 'ready' : false
    })
    expect(value).toBe('ready')
    expect(calls).toBe(3)
  })

  it('times out naming what it waited for and the last failure', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still broken')
        },
        { timeoutMs: 60, message: 'the thing' },
      ),
    ).rejects.toThrow(/waiting for the thing: still broken/)
  })
})

describe('records', () => {
  it('round-trip keys, values and headers through a compressed batch', () => {
    const bytes = textBatch([{ key: 'k', value: 'v', headers: { h: '1' } }, { value: null }], { compression: 'gzip' })
    expect(readRecords(bytes)).toMatchObject([
      { offset: 0, key: 'k', value: 'v', headers: { h: '1' } },
      { offset: 1, key: null, value: null, headers: {} },
    ])
  })
})

describe('kcat runner', () => {
  it('skips with a visible reason when kcat is absent, and runs it when present', async (ctx) => {
    const notes: (string | undefined)[] = []
    const fake = { skip: (condition: boolean, note?: string) => void (condition && notes.push(note)) }
    const path = requireKcat(fake)
    if (!findKcat()) {
      expect(notes).toEqual([KCAT_MISSING])
      await expect(runKcat(['-V'])).rejects.toThrow(KCAT_MISSING)
      return ctx.skip(KCAT_MISSING)
    }
    expect(notes).toEqual([])
    expect(path).toBe(findKcat())
    const { stdout } = await runKcat(['-V'])
    expect(stdout.toString()).toMatch(/librdkafka/)
    await expect(runKcat(['-X', 'no.such.property=1', '-L', '-b', '127.0.0.1:1'])).rejects.toThrow(/exited with/)
  })
})

describe('test broker and raw client', () => {
  it('talk over a real socket and report a closed connection', async () => {
    const { broker, log } = await startTestBroker()
    try {
      const client = await RawClient.connect(broker.port)
      const versions = await client.request(ApiVersionsApi, 3, { clientSoftwareName: 'testkit', clientSoftwareVersion: '1' })
      expect(versions.errorCode).toBe(ErrorCode.NONE)
      const metadata = await client.request(MetadataApi, 12, { topics: null })
      expect(metadata.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: broker.port, rack: null }])
      expect(client.arrivals).toEqual([1, 2])
      await client.close()
      expect(client.isConnected).toBe(false)
      await waitFor(() => log.matching('closed after 2 request(s), testkit 1').length === 1)
    } finally {
      await broker.close()
    }
  })

  it('makes and removes temporary directories', async () => {
    const dir = tempDir()
    const { broker } = await startTestBroker({ dataDir: dir.path })
    expect(broker.logs.storage.kind).toBe('file')
    await broker.close()
    dir.remove()
  })
})
