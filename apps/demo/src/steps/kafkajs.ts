import { Consumer } from '@tributary/consumer'
import { Producer } from '@tributary/producer'
import { Kafka, logLevel } from 'kafkajs'
import { FAST_CONSUMER } from '../context.js'
import type { Step } from '../step.js'
import { waitFor } from '../wait.js'

const TOPIC = 'interop'

export const kafkajs: Step = {
  id: 'kafkajs',
  title: 'Another Kafka client on the same broker: kafkajs',
  concept: 'The broker speaks the Kafka wire protocol, so any Kafka client works with it: kafkajs produces and consumes alongside Tributary\'s own clients.',
  async run(ctx) {
    const kafka = new Kafka({ clientId: 'demo-kafkajs', brokers: [ctx.bootstrapServers], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    const kjsProducer = kafka.producer()
    const kjsConsumer = kafka.consumer({ groupId: 'kafkajs-readers', sessionTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 100 })
    const producer = new Producer(ctx.client)
    const consumer = new Consumer({ ...ctx.client, ...FAST_CONSUMER, autoOffsetReset: 'earliest' })
    try {
      await admin.connect()
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] })
      const cluster = await admin.describeCluster()
      ctx.say(`kafkajs admin: cluster ${cluster.clusterId}, brokers ${cluster.brokers.map((b) => `${b.host}:${b.port}`).join(', ')}`)

      await kjsProducer.connect()
      await kjsProducer.send({ topic: TOPIC, messages: [{ key: 'from', value: 'hello from kafkajs' }] })
      await producer.send({ topic: TOPIC, key: 'from', value: 'hello from Tributary' })

      const seenByTributary: string[] = []
      await consumer.assign([{ topic: TOPIC, partition: 0 }])
      for await (const record of consumer) {
        seenByTributary.push(record.value!.toString())
        if (seenByTributary.length === 2) break
      }
      ctx.say(`Tributary's consumer read: ${seenByTributary.join(' | ')}`)

      const seenByKafkajs: string[] = []
      await kjsConsumer.connect()
      await kjsConsumer.subscribe({ topic: TOPIC, fromBeginning: true })
      await kjsConsumer.run({ eachMessage: async ({ message }) => void seenByKafkajs.push(message.value!.toString()) })
      await waitFor('the kafkajs consumer to read both records', () => (seenByKafkajs.length >= 2 ? true : undefined), 20_000)
      ctx.say(`kafkajs's consumer (group "kafkajs-readers") read: ${seenByKafkajs.join(' | ')}`)

      const expected = ['hello from kafkajs', 'hello from Tributary']
      ctx.check.equal(seenByTributary, expected, 'records read by the Tributary consumer')
      ctx.check.equal(seenByKafkajs, expected, 'records read by the kafkajs consumer')
    } finally {
      await Promise.allSettled([kjsConsumer.disconnect(), kjsProducer.disconnect(), admin.disconnect(), producer.close(), consumer.close()])
    }
  },
}
