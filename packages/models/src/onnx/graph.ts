import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** A value in a graph being built: its name and its static shape at the traced batch. */
export interface Sym {
  readonly name: string;
  readonly shape: number[];
}

type AttributeValue = number | number[] | { float: number };

/** ONNX opset the graphs are written for (axes of ReduceMean still an attribute, Split sizes an input). */
export const OPSET = 17;
/** The batch axis of graph inputs and outputs is named, so one graph runs any batch. */
export const BATCH_DIM = 'batch';
/** ONNX Runtime's contrib operators (fused attention), opset 1. */
export const MS_DOMAIN = 'com.microsoft';

/**
 * An ONNX graph under construction: nodes, initializers (weights, tables, shape vectors), inputs and outputs.
 * `encode` writes the ModelProto bytes ONNX Runtime loads.
 */
export class GraphBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly named = new Map<string, Sym>();
  private counter = 0;
  private readonly domains = new Set<string>();

  constructor(readonly graphName: string) {}

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** A graph input of element type float32 whose axis 0 is the batch (or fixed when batchAxis is false). */
  input(name: string, shape: number[], batchAxis = true): Sym {
    this.inputs.push(valueInfo(name, shape, batchAxis));
    return this.remember({ name, shape });
  }

  /** Name a value as a graph output (through an Identity node, so the output's name is the caller's). */
  output(name: string, value: Sym, batchAxis = true): void {
    this.node('Identity', [value.name], [name]);
    this.outputs.push(valueInfo(name, value.shape, batchAxis));
  }

  /** A float32 initializer (a weight or table), added once per name. */
  floatInitializer(name: string, shape: number[], values: Float32Array): Sym {
    const known = this.named.get(name);
    if (known) return known;
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`initializer ${name}: ${values.length} values for shape [${shape}]`);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    this.initializers.push(onnx.TensorProto.create({ name, dims: shape, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes }));
    return this.remember({ name, shape });
  }

  /** An int64 vector initializer (shapes, axes, pads), shared between nodes with the same values. */
  int64Vector(values: readonly number[]): string {
    const name = `i64[${values.join(',')}]`;
    if (this.named.has(name)) return name;
    const bytes = new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);
    this.initializers.push(onnx.TensorProto.create({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: bytes }));
    this.remember({ name, shape: [values.length] });
    return name;
  }

  /** A float32 scalar initializer, shared between nodes with the same value. */
  scalar(value: number): Sym {
    const name = `f32(${value})`;
    return this.named.get(name) ?? this.floatInitializer(name, [], Float32Array.of(value));
  }

  /** Append a node (of the standard domain unless given); returns its output names. */
  node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}, domain = ''): string[] {
    const attribute = Object.entries(attributes).map(([name, v]) => attributeOf(name, v));
    if (domain) this.domains.add(domain);
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: `${opType}_${this.nodes.length}`, attribute, domain }));
    return outputs;
  }

  /** Record a value's shape under its name. */
  remember(s: Sym): Sym {
    this.named.set(s.name, s);
    return s;
  }

  /** The ModelProto's bytes. */
  encode(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'teacache-toolkit',
      opsetImport: [{ domain: '', version: OPSET }, ...[...this.domains].map((domain) => ({ domain, version: 1 }))],
      graph: { name: this.graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  /** Counts for logs and tests. */
  stats(): { nodes: number; initializers: number; parameters: number } {
    const parameters = this.initializers
      .filter((t) => t.dataType === onnx.TensorProto.DataType.FLOAT)
      .reduce((n, t) => n + (t.dims as number[]).reduce((a, b) => a * Number(b), 1), 0);
    return { nodes: this.nodes.length, initializers: this.initializers.length, parameters };
  }
}

function valueInfo(name: string, shape: number[], batchAxis: boolean) {
  const dim = shape.map((d, i) => (i === 0 && batchAxis ? { dimParam: BATCH_DIM } : { dimValue: d }));
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim } } } });
}

function attributeOf(name: string, v: AttributeValue) {
  const T = onnx.AttributeProto.AttributeType;
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
  if (typeof v === 'object') return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v.float });
  return onnx.AttributeProto.create({ name, type: T.INT, i: v });
}
