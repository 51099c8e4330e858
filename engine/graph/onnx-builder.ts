import fs from 'node:fs';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;
export type ElemType = (typeof DT)[keyof typeof DT];

export type Dim = number | string;
type GraphValue = ReturnType<typeof onnx.GraphProto.create>;
type AttrValue = number | number[] | string | { float: number } | { floats: number[] } | { graph: GraphValue };

const EXTERNAL_THRESHOLD_BYTES = 1024;
const EXTERNAL_ALIGN = 4096;

/**
 * Appends large initializers to one external-data file, page aligned so the runtime can map them.
 * Keeps nothing in memory after each write.
 */
export class ExternalDataWriter {
  private fd: number;
  private offset = 0;

  constructor(
    readonly path: string,
    readonly location: string,
  ) {
    this.fd = fs.openSync(path, 'w');
  }

  write(bytes: Uint8Array): { offset: number; length: number } {
    const pad = (EXTERNAL_ALIGN - (this.offset % EXTERNAL_ALIGN)) % EXTERNAL_ALIGN;
    if (pad) {
      fs.writeSync(this.fd, new Uint8Array(pad), 0, pad, this.offset);
      this.offset += pad;
    }
    const at = this.offset;
    fs.writeSync(this.fd, bytes, 0, bytes.byteLength, at);
    this.offset += bytes.byteLength;
    return { offset: at, length: bytes.byteLength };
  }

  get bytesWritten(): number {
    return this.offset;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function bytesOf(data: Float32Array | Uint8Array | Uint16Array | BigInt64Array | Int32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A small typed helper over onnx-proto: nodes get unique output names, constants are deduplicated by value,
 * large initializers go to external data.
 */
export class GraphBuilder {
  private nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private initializers: InstanceType<typeof onnx.TensorProto>[];
  private inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private counter: { n: number };
  private constCache: Map<string, string>;

  constructor(
    private readonly external: ExternalDataWriter | null,
    parent?: GraphBuilder,
  ) {
    // A branch (subgraph) shares its parent's names, constants and initializers; it only collects its own nodes.
    this.initializers = parent ? parent.initializers : [];
    this.counter = parent ? parent.counter : { n: 0 };
    this.constCache = parent ? parent.constCache : new Map();
  }

  /** Builds a subgraph (for If) whose nodes may read any value of the enclosing graph by name. */
  branch(name: string, build: (b: GraphBuilder) => { value: string; type: ElemType }[]): { graph: GraphValue } {
    const b = new GraphBuilder(this.external, this);
    const outs = build(b);
    const outputs = outs.map(({ value, type }) => {
      const outName = b.fresh(`${name}_out`);
      b.nodes.push(onnx.NodeProto.create({ opType: 'Identity', input: [value], output: [outName], name: outName }));
      return onnx.ValueInfoProto.create({ name: outName, type: { tensorType: { elemType: type } } });
    });
    return { graph: onnx.GraphProto.create({ name, node: b.nodes, output: outputs }) };
  }

  private valueInfo(name: string, type: ElemType, shape: Dim[]) {
    return onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: type,
          shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    });
  }

  input(name: string, type: ElemType, shape: Dim[]): string {
    this.inputs.push(this.valueInfo(name, type, shape));
    return name;
  }

  output(value: string, name: string, type: ElemType, shape: Dim[]): void {
    // An Identity lets any internal value be exposed under a stable public name.
    this.nodes.push(onnx.NodeProto.create({ opType: 'Identity', input: [value], output: [name], name: `out_${name}` }));
    this.outputs.push(this.valueInfo(name, type, shape));
  }

  fresh(hint: string): string {
    return `${hint}_${this.counter.n++}`;
  }

  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, opts: { domain?: string; outputs?: number; name?: string } = {}): string[] {
    const n = opts.outputs ?? 1;
    const outs = Array.from({ length: n }, () => this.fresh(opts.name ?? opType));
    const attribute = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === 'number') return Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v };
      if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
      if (Array.isArray(v)) return { name, type: 7, ints: v };
      if ('float' in v) return { name, type: 1, f: v.float };
      if ('graph' in v) return { name, type: 5, g: v.graph };
      return { name, type: 6, floats: v.floats };
    });
    this.nodes.push(
      onnx.NodeProto.create({ opType, input: inputs, output: outs, domain: opts.domain ?? '', attribute, name: outs[0] }),
    );
    return outs;
  }

  /** Single-output convenience. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, domain?: string): string {
    return this.node(opType, inputs, attrs, { domain })[0];
  }

  initializer(name: string, type: ElemType, dims: number[], data: Float32Array | Uint8Array | Uint16Array | BigInt64Array | Int32Array): string {
    const raw = bytesOf(data);
    if (this.external && raw.byteLength > EXTERNAL_THRESHOLD_BYTES) {
      const { offset, length } = this.external.write(raw);
      this.initializers.push(
        onnx.TensorProto.create({
          name,
          dataType: type,
          dims,
          dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          externalData: [
            { key: 'location', value: this.external.location },
            { key: 'offset', value: String(offset) },
            { key: 'length', value: String(length) },
          ],
        }),
      );
    } else {
      this.initializers.push(onnx.TensorProto.create({ name, dataType: type, dims, rawData: raw.slice() }));
    }
    return name;
  }

  constFloat(values: number[] | Float32Array, dims?: number[]): string {
    const arr = values instanceof Float32Array ? values : Float32Array.from(values);
    return this.cachedConst('f', arr, DT.FLOAT, dims ?? [arr.length]);
  }

  constScalarFloat(v: number): string {
    return this.cachedConst('f', Float32Array.of(v), DT.FLOAT, []);
  }

  constInt64(values: number[], dims?: number[]): string {
    const arr = BigInt64Array.from(values.map((v) => BigInt(v)));
    return this.cachedConst('i', arr, DT.INT64, dims ?? [values.length]);
  }

  private cachedConst(tag: string, arr: Float32Array | BigInt64Array, type: ElemType, dims: number[]): string {
    const key = `${tag}:${dims.join('x')}:${Array.from(arr as ArrayLike<number | bigint>).join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.initializer(this.fresh('const'), type, dims, arr);
    this.constCache.set(key, name);
    return name;
  }

  /** Encodes the model; weights already live in the external data file. */
  encode(opsets: { domain: string; version: number }[], producer = 'longread'): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 10,
      producerName: producer,
      opsetImport: opsets,
      graph: onnx.GraphProto.create({
        name: 'decoder',
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
