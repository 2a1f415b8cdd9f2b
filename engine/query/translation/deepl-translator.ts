/**
 * DeepL as a query Translator, through the official `deepl-node` client (seed §4.2).
 *
 * - The API key comes from TranslatorSecrets (env RWB_DEEPL_API_KEY or the OS secure storage),
 *   never from a SearchConfig or an exported bundle.
 * - `deeplServerUrl` (env RWB_DEEPL_SERVER_URL) overrides the endpoint; tests point it at a local
 *   server that speaks the DeepL API (test/helpers/deepl-server.ts).
 * - deepl-node retries 429/5xx with exponential backoff itself (`maxRetries`); the query parser's
 *   per-request budget (`translation.timeoutMs`) still bounds how long a query waits, and any
 *   failure becomes a query warning there, never a failed search.
 *
 *   const translator = createTranslator(config.query.translation, {
 *     secrets: translatorSecretsFromEnv(),
 *     providers: { deepl: deeplTranslatorFactory },
 *   });
 *
 * or simply `createTranslatorWithDeepl(config.query.translation)`.
 */
import * as deepl from 'deepl-node';
import type { TranslationSettings } from '../../config/search-config-schema.ts';
import { RwbError } from '../../errors.ts';
import { createTranslator } from './create-translator.ts';
import {
  translatorSecretsFromEnv,
  type TranslateOptions,
  type TranslationRequest,
  type Translator,
  type TranslatorSecrets,
} from './translator.ts';

export interface DeeplTranslatorOptions {
  apiKey: string;
  /** Endpoint override (default: chosen by deepl-node from the key: api-free for `:fx` keys). */
  serverUrl?: string;
  /** Per HTTP attempt, in ms (deepl-node's minTimeout). */
  requestTimeoutMs?: number;
  /**
   * deepl-node's maxRetries. Its loop stops when `retries + 1 >= maxRetries`, so N allows N − 1
   * retries after the first attempt: 2 means one retry.
   */
  maxRetries?: number;
}

/** Target codes DeepL insists on a variant for (a bare "en"/"pt" target is deprecated). */
const TARGET_VARIANTS: Readonly<Record<string, deepl.TargetLanguageCode>> = {
  en: 'en-US',
  pt: 'pt-BR',
  zh: 'zh-HANS',
};

export function deeplTargetLanguage(language: string): deepl.TargetLanguageCode {
  return TARGET_VARIANTS[language] ?? (language as deepl.TargetLanguageCode);
}

/** DeepL reads "zh-HANS"/"en-US" style targets but only bare codes as sources. */
export function deeplSourceLanguage(language: string | null): deepl.SourceLanguageCode | null {
  if (language === null || language === 'und') return null;
  return language.split('-')[0]!.toLowerCase() as deepl.SourceLanguageCode;
}

function describeFailure(err: unknown, where: string): RwbError {
  if (err instanceof RwbError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof deepl.AuthorizationError) {
    return new RwbError(
      'INVALID_CONFIG',
      `DeepL at ${where} refused the API key (HTTP 403); check RWB_DEEPL_API_KEY`,
      { provider: 'deepl' },
      { cause: err },
    );
  }
  if (err instanceof deepl.QuotaExceededError) {
    return new RwbError(
      'INVALID_CONFIG',
      `DeepL quota for this billing period is used up (HTTP 456)`,
      { provider: 'deepl' },
      { cause: err },
    );
  }
  if (err instanceof deepl.TooManyRequestsError) {
    return new RwbError(
      'INTERNAL',
      `DeepL at ${where} kept answering "too many requests" (HTTP 429) after retrying`,
      { provider: 'deepl' },
      { cause: err },
    );
  }
  if (err instanceof deepl.ConnectionError) {
    return new RwbError(
      'INTERNAL',
      `DeepL at ${where} is not reachable: ${detail}`,
      { provider: 'deepl' },
      { cause: err },
    );
  }
  return new RwbError(
    'INTERNAL',
    `DeepL at ${where} failed: ${detail}`,
    { provider: 'deepl' },
    { cause: err },
  );
}

export class DeeplTranslator implements Translator {
  readonly provider = 'deepl';
  private readonly client: deepl.Translator;
  private readonly where: string;

  constructor(options: DeeplTranslatorOptions) {
    if (options.apiKey.trim() === '') {
      throw new RwbError(
        'INVALID_CONFIG',
        'query.translation.provider is "deepl" but no DeepL API key is set; set RWB_DEEPL_API_KEY (keys never go into a config)',
      );
    }
    this.where = options.serverUrl ?? 'api.deepl.com';
    const clientOptions: deepl.TranslatorOptions = {
      maxRetries: options.maxRetries ?? 2,
      minTimeout: options.requestTimeoutMs ?? 5_000,
      sendPlatformInfo: false,
      appInfo: { appName: 'relevance-workbench', appVersion: '0.1.0' },
    };
    if (options.serverUrl !== undefined) clientOptions.serverUrl = options.serverUrl;
    this.client = new deepl.Translator(options.apiKey, clientOptions);
  }

  /**
   * deepl-node takes no AbortSignal: an abort settles the returned promise at once and the HTTP
   * request finishes in the background (its answer is dropped).
   */
  async translate(
    request: TranslationRequest,
    options: TranslateOptions = {},
  ): Promise<string | null> {
    const text = request.text.trim();
    if (text === '') return null;
    const source = deeplSourceLanguage(request.from);
    if (source !== null && source === deeplSourceLanguage(request.to)) return null;
    const pending = this.client
      .translateText(text, source, deeplTargetLanguage(request.to))
      .catch((err: unknown) => {
        throw describeFailure(err, this.where);
      });
    const result = await abortable(pending, options.signal);
    const translated = result.text.trim();
    // DeepL echoes text it cannot translate; an echo is no translation.
    if (translated === '' || translated.toLowerCase() === text.toLowerCase()) return null;
    return translated;
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => undefined);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

/** The `providers.deepl` factory for createTranslator. */
export function deeplTranslatorFactory(
  settings: TranslationSettings,
  secrets: TranslatorSecrets,
): Translator {
  return new DeeplTranslator({
    apiKey: secrets.deeplApiKey ?? '',
    ...(secrets.deeplServerUrl === undefined ? {} : { serverUrl: secrets.deeplServerUrl }),
    // One HTTP attempt may use the whole query budget; the parser's timeout cuts it off anyway.
    requestTimeoutMs: settings.timeoutMs,
  });
}

/**
 * createTranslator with the DeepL provider plugged in and secrets from the environment unless
 * given: what `rwb serve`, `rwb search` and the app use.
 */
export function createTranslatorWithDeepl(
  settings: TranslationSettings,
  secrets: TranslatorSecrets = translatorSecretsFromEnv(),
): Translator | null {
  return createTranslator(settings, { secrets, providers: { deepl: deeplTranslatorFactory } });
}
