import { packageTests } from '../../vitest.shared.ts'

export default packageTests({ testTimeout: 120_000 })
