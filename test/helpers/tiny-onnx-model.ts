/**
 * Writes a tiny but genuine BERT-style model folder that `@huggingface/transformers` loads like one
 * from the Hub: `config.json`, `tokenizer.json` (WordPiece), `tokenizer_config.json` and
 * `onnx/model.onnx`. The ONNX graph is `last_hidden_state = wordTable[input_ids] +
 * typeTable[token_type_ids]`, so a test can compute the expected pooled vector by hand from the
 * exported tables and know the library's tokenising, padding, pooling and normalising all ran.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Special tokens first, in the order BERT vocabularies use, then a few words and a subword. */
export const TINY_VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'the',
  'cat',
  'sat',
  'on',
  'mat',
  'graph',
  'neural',
  'network',
  '##s',
  'attention',
  'is',
  'all',
  'you',
  'need',
  '.',
  ',',
] as const;

export const TINY_HIDDEN = 8;
/** Deliberately small, so truncation (and the embedder's `maxTokens`) can be tested with short texts. */
export const TINY_MAX_POSITIONS = 24;

/** Row `i` is the vector for token id `i`. Row 0 ([PAD]) is non-zero on purpose: unmasked padding would show. */
export const TINY_WORD_TABLE: number[][] = TINY_VOCAB.map((_, i) =>
  Array.from({ length: TINY_HIDDEN }, (_, j) => Math.fround(Math.sin(1 + 7 * i + 3 * j) + (j === i % TINY_HIDDEN ? 1 : 0))),
);
export const TINY_TYPE_TABLE: number[][] = [0, 1].map((t) => Array.from({ length: TINY_HIDDEN }, (_, j) => Math.fround(0.05 * (j + 1) * (t === 0 ? 1 : -1))));

export const tinyTokenId = (token: string): number => {
  const id = TINY_VOCAB.indexOf(token as (typeof TINY_VOCAB)[number]);
  if (id < 0) throw new Error(`not in the tiny vocabulary: ${token}`);
  return id;
};

function floatTensor(name: string, rows: number[][]): InstanceType<typeof onnx.TensorProto> {
  const flat = new Float32Array(rows.flat());
  return onnx.TensorProto.create({
    name,
    dims: [rows.length, rows[0].length],
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(flat.buffer),
  });
}

function valueInfo(name: string, elemType: number, dims: (string | number)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

/** The serialised ONNX model (opset 13: two Gathers and an Add). */
export function tinyOnnxModelBytes(): Uint8Array {
  const int64 = onnx.TensorProto.DataType.INT64;
  const float = onnx.TensorProto.DataType.FLOAT;
  const graph = onnx.GraphProto.create({
    name: 'tiny-bert',
    initializer: [floatTensor('word_embeddings', TINY_WORD_TABLE), floatTensor('token_type_embeddings', TINY_TYPE_TABLE)],
    input: ['input_ids', 'attention_mask', 'token_type_ids'].map((n) => valueInfo(n, int64, ['batch_size', 'sequence_length'])),
    output: [valueInfo('last_hidden_state', float, ['batch_size', 'sequence_length', TINY_HIDDEN])],
    node: [
      onnx.NodeProto.create({ opType: 'Gather', input: ['word_embeddings', 'input_ids'], output: ['words'], name: 'gather_words' }),
      onnx.NodeProto.create({ opType: 'Gather', input: ['token_type_embeddings', 'token_type_ids'], output: ['types'], name: 'gather_types' }),
      onnx.NodeProto.create({ opType: 'Add', input: ['words', 'types'], output: ['last_hidden_state'], name: 'add' }),
    ],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'litbot-tests',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

function tokenizerJson() {
  const special = TINY_VOCAB.filter((t) => t.startsWith('['));
  const cls = tinyTokenId('[CLS]');
  const sep = tinyTokenId('[SEP]');
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content) => ({
      id: tinyTokenId(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [cls], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [sep], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(TINY_VOCAB.map((t, i) => [t, i])),
    },
  };
}

export interface TinyModelOptions {
  /** Extra JSON files to write, keyed by path inside the folder (e.g. `1_Pooling/config.json`). */
  extraFiles?: Record<string, unknown>;
}

/** Writes the model folder into `dir` (created if needed) and returns `dir`. */
export function writeTinyBertModel(dir: string, options: TinyModelOptions = {}): string {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const json = (file: string, value: unknown) => {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), JSON.stringify(value, null, 2));
  };
  json('config.json', {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: TINY_HIDDEN,
    num_attention_heads: 2,
    num_hidden_layers: 1,
    intermediate_size: 16,
    max_position_embeddings: TINY_MAX_POSITIONS,
    type_vocab_size: 2,
    vocab_size: TINY_VOCAB.length,
    pad_token_id: 0,
  });
  json('tokenizer.json', tokenizerJson());
  json('tokenizer_config.json', {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
  });
  for (const [file, value] of Object.entries(options.extraFiles ?? {})) json(file, value);
  writeFileSync(join(dir, 'onnx', 'model.onnx'), tinyOnnxModelBytes());
  return dir;
}

/** A fresh temp folder holding the tiny model. */
export function makeTinyBertModel(options: TinyModelOptions = {}): string {
  return writeTinyBertModel(join(mkdtempSync(join(tmpdir(), 'litbot-tiny-bert-')), 'tiny-bert'), options);
}

/**
 * The embedding the model should give `text` with mean pooling, computed by hand: split on spaces
 * into vocabulary tokens (the caller passes text that needs no smarter tokenising), add
 * [CLS]/[SEP], average the rows, scale to unit length.
 */
export function expectedTinyMeanEmbedding(tokens: string[]): number[] {
  const ids = [tinyTokenId('[CLS]'), ...tokens.map(tinyTokenId), tinyTokenId('[SEP]')];
  const sum = new Array<number>(TINY_HIDDEN).fill(0);
  for (const id of ids) for (let j = 0; j < TINY_HIDDEN; j++) sum[j] += TINY_WORD_TABLE[id][j] + TINY_TYPE_TABLE[0][j];
  const mean = sum.map((v) => v / ids.length);
  const norm = Math.hypot(...mean);
  return mean.map((v) => v / norm);
}

/** The CLS-pooled embedding: the [CLS] row alone, unit length. */
export function expectedTinyClsEmbedding(): number[] {
  const row = TINY_WORD_TABLE[tinyTokenId('[CLS]')].map((v, j) => v + TINY_TYPE_TABLE[0][j]);
  const norm = Math.hypot(...row);
  return row.map((v) => v / norm);
}
