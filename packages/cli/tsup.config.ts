import { packageBuild } from '../../tsup.shared.ts'

// bin/tributary.js is a plain launcher that imports dist/index.js, so it is not bundled.
export default packageBuild()
