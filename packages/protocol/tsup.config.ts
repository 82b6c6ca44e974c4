import { packageBuild } from '../../tsup.shared.ts'

// shims: the compression loaders resolve their WASM files through import.meta.url in ESM and __filename in CJS.
export default packageBuild({ shims: true })
