import { packageTests } from '../../vitest.shared.ts'

export default packageTests({ include: ['src/**/*.test.ts'], testTimeout: 90_000 })
