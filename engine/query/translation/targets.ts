/**
 * Which languages a term is translated into (seed §4.2): zh → en/ru, en → zh/ru, anything else →
 * every supported language; then only languages the term's domain maps to fields (translating to
 * a language no field holds is a wasted API call), and only configured targets.
 */
import type { DomainConfig, QuerySettings } from '../../config/search-config-schema.ts';

export function translationTargets(
  sourceLanguage: string,
  domain: Pick<DomainConfig, 'languageFieldMapping'>,
  query: Pick<QuerySettings, 'supportedLanguages' | 'translation'>,
): string[] {
  if (query.translation.provider === 'none') return [];
  const supported = query.supportedLanguages;
  const candidates = supported.includes(sourceLanguage)
    ? supported.filter((language) => language !== sourceLanguage)
    : [...supported];
  const configured = query.translation.targetLanguages;
  const mapped = new Set(Object.keys(domain.languageFieldMapping));
  return candidates.filter(
    (language) =>
      mapped.has(language) && (configured.length === 0 || configured.includes(language)),
  );
}
