/** Category paths ("电子产品/音频设备/耳机") and tag lists. */

/** Path separators: "/" (Shoplazza) and ">" (common in exports, e.g. "Electronics > Audio"). */
const PATH_SEPARATOR = /\s*[/>＞]\s*/;

export function splitCategoryPath(path: string | null): string[] {
  if (!path) return [];
  return path
    .split(PATH_SEPARATOR)
    .map((segment) => segment.trim())
    .filter((segment) => segment !== '');
}

export interface CategoryLevels {
  category1_name: string | null;
  category2_name: string | null;
  category3_name: string | null;
  /** Depth of the path the levels came from (0 when there is none). */
  depth: number;
}

/** category1..3 from the Chinese path, else from the English one (seed §3.2). */
export function categoryLevels(pathZh: string | null, pathEn: string | null): CategoryLevels {
  const zh = splitCategoryPath(pathZh);
  const segments = zh.length > 0 ? zh : splitCategoryPath(pathEn);
  return {
    category1_name: segments[0] ?? null,
    category2_name: segments[1] ?? null,
    category3_name: segments[2] ?? null,
    depth: segments.length,
  };
}

export function leafOf(path: string | null): string | null {
  const segments = splitCategoryPath(path);
  return segments[segments.length - 1] ?? null;
}

/** Tags are comma-separated (ASCII or full-width commas, semicolons too); trimmed and de-duplicated. */
export function splitTags(tags: string | null): string[] {
  if (!tags) return [];
  const seen = new Set<string>();
  for (const tag of tags.split(/[,，;；]/)) {
    const t = tag.trim();
    if (t) seen.add(t);
  }
  return [...seen];
}
