// The walkthrough grows with the packages; for now it shows what the codec does.
import { Reader, Writer } from '@tributary/protocol'

const w = new Writer().compactString('hello, kafka').varint(-42)
const r = new Reader(w.toBuffer())
console.log(`Encoded ${w.offset} bytes; decoded back: "${r.compactString()}", ${r.varint()}`)
