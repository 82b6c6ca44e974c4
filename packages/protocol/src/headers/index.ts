export { encodeRequestFrame, decodeRequestFrame, type RequestFrame, type RequestHeaderInput } from './request-frame.js'
export { encodeResponseFrame, decodeResponseFrame, responseCorrelationId, type ResponseFrame } from './response-frame.js'
