export { murmur2, toPositive, partitionForKey } from './murmur2.js'
