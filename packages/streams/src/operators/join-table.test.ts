import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { topicTable } from '../tables/topic-table.js'
import { joinTable } from './join-table.js'

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected))

describe('joinTable (marbles)', () => {
  it('joins each record with the table value current at that moment (inner join)', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const table = hot('a--b---c-', { a: { key: 'c1', value: 'gold' }, b: { key: 'c2', value: 'silver' }, c: { key: 'c1', value: null } })
      const orders = hot('-x-y-x-x--|', { x: { key: 'c1', amount: 5 }, y: { key: 'c2', amount: 9 } })
      const joined = orders.pipe(joinTable(table, (order, tier: string) => `${order.key}:${order.amount}:${tier}`))
      // at frame 3 the table update comes first (it was created first); at frame 7 c1 is deleted, so that order is dropped
      expectObservable(joined).toBe('-a-b-c----|', { a: 'c1:5:gold', b: 'c2:9:silver', c: 'c1:5:gold' })
      expectSubscriptions(table.subscriptions).toBe('^---------!')
      expectSubscriptions(orders.subscriptions).toBe('^---------!')
    })
  })

  it('left join passes records without a table value with undefined', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const table = cold('a', { a: { key: 'c1', value: 2 } })
      const orders = cold('-x-y|', { x: { key: 'c1' }, y: { key: 'c9' } })
      expectObservable(orders.pipe(joinTable(table, (o, v: number | undefined) => `${o.key}=${v ?? 'none'}`, { left: true }))).toBe('-a-b|', { a: 'c1=2', b: 'c9=none' })
    })
  })

  it('fails clearly when a topic table is used outside a runner', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const orders = cold('-x|', { x: { key: 'c1' } })
      expectObservable(orders.pipe(joinTable(topicTable('customers'), (o) => o))).toBe('#', undefined, expect.objectContaining({ code: 'TABLE_NEEDS_RUNNER' }))
    })
  })
})
