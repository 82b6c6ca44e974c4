import { Admin } from '@tributary/client'
import { Consumer } from '@tributary/consumer'
import { FAST_CONSUMER, type DemoContext } from '../context.js'
import type { Step } from '../step.js'
import { waitFor } from '../wait.js'

const TOPIC = 'group-demo'
const GROUP = 'demo-dashboard'
const PARTITIONS = 6

interface Member {
  name: string
  consumer: Consumer
}

const owned = (m: Member) => m.consumer.assignment().map((tp) => tp.partition).sort((a, b) => a - b)

/** Waits until the members own every partition exactly once, evenly, and prints who owns what. */
async function settled(ctx: DemoContext, members: Member[], event: string): Promise<void> {
  const shares = await waitFor(`the group to settle after "${event}"`, () => {
    const shares = members.map(owned)
    const all = shares.flat().sort((a, b) => a - b)
    const sizes = shares.map((s) => s.length)
    const even = Math.max(...sizes) - Math.min(...sizes) <= 1
    return all.length === PARTITIONS && all.every((p, i) => p === i) && even ? shares : undefined
  }, 15_000)
  ctx.say(`${event}:`)
  members.forEach((m, i) => ctx.say(`  ${m.name} owns partitions [${shares[i]!.join(', ')}]`))
  ctx.check.that(shares.every((s) => s.length > 0), `after "${event}" every member owns at least one partition`)
}

export const group: Step = {
  id: 'group',
  title: 'A consumer group rebalancing as members join and leave',
  concept: 'Consumers sharing a group id split the partitions between them; when a member joins or leaves, the group rebalances (cooperatively: only moving partitions are revoked) so that each partition has exactly one owner.',
  async run(ctx) {
    const admin = new Admin(ctx.client)
    const members: Member[] = []
    const join = async (name: string) => {
      const consumer = new Consumer({ ...ctx.client, ...FAST_CONSUMER, groupId: GROUP, clientId: name })
      members.push({ name, consumer })
      await consumer.subscribe([TOPIC])
    }
    try {
      await admin.createTopics([{ name: TOPIC, partitions: PARTITIONS }])
      await join('member-A')
      await settled(ctx, members, 'member-A joins alone')
      await join('member-B')
      await settled(ctx, members, 'member-B joins')
      await join('member-C')
      await settled(ctx, members, 'member-C joins')
      const leaving = members.splice(1, 1)[0]!
      await leaving.consumer.close()
      await settled(ctx, members, 'member-B leaves')
      const [described] = await admin.describeGroups([GROUP])
      ctx.say(`the coordinator reports the group ${described!.state} with protocol ${described!.protocol} and ${described!.members.length} members`)
      ctx.check.equal([described!.state, described!.members.length], ['Stable', 2], 'group state and member count seen by the coordinator')
    } finally {
      await Promise.all(members.map((m) => m.consumer.close().catch(() => {})))
      await admin.close()
    }
  },
}
