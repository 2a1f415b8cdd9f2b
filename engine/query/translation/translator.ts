/**
 * Translation of query text (seed §4.2). Providers implement `Translator`; the query parser only
 * ever sees this interface, so DeepL (deepl-node), the offline glossary and test doubles are
 * interchangeable and can be stacked (`CachedTranslator`, `FallbackTranslator`).
 *
 * Secrets never live in a SearchConfig: a provider that needs an API key receives it in
 * `TranslatorSecrets`, which callers fill from the environment or the OS secure storage.
 */

export interface TranslationRequest {
  text: string;
  /** Detected source language (ISO 639-1), or null to let the provider decide. */
  from: string | null;
  /** Target language (ISO 639-1). */
  to: string;
}

export interface TranslateOptions {
  signal?: AbortSignal;
}

export interface Translator {
  /** Provider name as it appears in query info and logs, e.g. "glossary", "deepl". */
  readonly provider: string;
  /**
   * The translation, or null when this provider has none for the text (a glossary without the
   * term). Throws RwbError on provider failure (network, quota); callers decide whether to degrade.
   */
  translate(request: TranslationRequest, options?: TranslateOptions): Promise<string | null>;
}

/** Credentials handed to providers at construction, never read from or written to a config. */
export interface TranslatorSecrets {
  deeplApiKey?: string;
  /** Override of the provider endpoint (tests run a local server that speaks the DeepL API). */
  deeplServerUrl?: string;
}

/** Reads translator secrets from the environment (RWB_DEEPL_API_KEY, RWB_DEEPL_SERVER_URL). */
export function translatorSecretsFromEnv(env: NodeJS.ProcessEnv = process.env): TranslatorSecrets {
  const secrets: TranslatorSecrets = {};
  if (env.RWB_DEEPL_API_KEY) secrets.deeplApiKey = env.RWB_DEEPL_API_KEY;
  if (env.RWB_DEEPL_SERVER_URL) secrets.deeplServerUrl = env.RWB_DEEPL_SERVER_URL;
  return secrets;
}

/** Asks each translator in turn; the first non-null answer wins (e.g. glossary before DeepL). */
export class FallbackTranslator implements Translator {
  readonly provider: string;

  constructor(private readonly translators: readonly Translator[]) {
    this.provider = translators.map((t) => t.provider).join('+');
  }

  async translate(request: TranslationRequest, options?: TranslateOptions): Promise<string | null> {
    for (const translator of this.translators) {
      const result = await translator.translate(request, options);
      if (result !== null) return result;
    }
    return null;
  }
}
