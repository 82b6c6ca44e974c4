export { FrameSplitter, DEFAULT_MAX_FRAME_SIZE } from './frame-splitter.js'
