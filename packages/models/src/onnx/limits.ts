/**
 * Most weight bytes one ONNX graph of the engine holds. ONNX Runtime parses a model given as bytes as one protobuf
 * message, which stops at 2 GiB; a stack past this is split into several graphs run one after another, leaving
 * room for the graph itself and the shared tables.
 */
export const GRAPH_WEIGHT_BYTES = 1.5 * 1024 ** 3;

/** The protobuf limit itself (bytes): a single block past it cannot be given to ONNX Runtime as one graph. */
export const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;
