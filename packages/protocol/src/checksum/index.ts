export { crc32c, crc32, crcImplementation } from './crc32c.js'
