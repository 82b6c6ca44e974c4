import type { Step } from '../step.js'
import { acks } from './acks.js'
import { group } from './group.js'
import { idempotence } from './idempotence.js'
import { interceptor } from './interceptor.js'
import { kafkajs } from './kafkajs.js'
import { partitioning } from './partitioning.js'
import { restart } from './restart.js'
import { retention } from './retention.js'
import { streams } from './streams.js'
import { topics } from './topics.js'
import { transactions } from './transactions.js'

/** The walkthrough, in order. */
export const STEPS: readonly Step[] = [topics, partitioning, interceptor, acks, group, restart, retention, idempotence, transactions, streams, kafkajs]
