/**
 * Builds the Translator a SearchConfig asks for. Remote providers are plugged in through
 * `providers` so this module needs no network code: the DeepL provider registers itself as
 * `providers.deepl = (settings, secrets) => new DeeplTranslator(...)`. The glossary always runs
 * first — it is free, offline, and the analyst's word beats a machine translation.
 */
import { RwbError } from '../../errors.ts';
import type { TranslationSettings } from '../../config/search-config-schema.ts';
import { CachedTranslator } from './cached-translator.ts';
import { GlossaryTranslator } from './glossary-translator.ts';
import { FallbackTranslator, type Translator, type TranslatorSecrets } from './translator.ts';

export type RemoteTranslatorFactory = (
  settings: TranslationSettings,
  secrets: TranslatorSecrets,
) => Translator;

export interface CreateTranslatorOptions {
  secrets?: TranslatorSecrets;
  providers?: Partial<Record<'deepl', RemoteTranslatorFactory>>;
}

/** null when translation is off (provider "none"). */
export function createTranslator(
  settings: TranslationSettings,
  options: CreateTranslatorOptions = {},
): Translator | null {
  if (settings.provider === 'none') return null;
  const chain: Translator[] = [];
  if (settings.glossary.length > 0) chain.push(new GlossaryTranslator(settings.glossary));
  if (settings.provider === 'deepl') {
    const factory = options.providers?.deepl;
    if (factory === undefined) {
      throw new RwbError(
        'INVALID_CONFIG',
        'query.translation.provider is "deepl" but no DeepL provider is available in this build; use "glossary" or "none"',
      );
    }
    chain.push(factory(settings, options.secrets ?? {}));
  }
  if (chain.length === 0) return null;
  const translator = chain.length === 1 ? chain[0]! : new FallbackTranslator(chain);
  return settings.cacheSize > 0 ? new CachedTranslator(translator, settings.cacheSize) : translator;
}
