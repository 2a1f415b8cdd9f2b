/**
 * Icecat has no category field. Its titles follow "{brand} {series} {model} {product type in lower
 * case} {specs…}", e.g. "Lexmark 14N1070 ink cartridge Original Magenta 1 pc(s)", so the first run
 * of lower-case words after the model is usually the product type. A keyword table then puts that
 * type (or, failing that, the whole title) under one of a few top-level groups. Cheap and imperfect by
 * design: it only has to give facets and category boosts something realistic to work with.
 */

/** Lower-case words that are units, connectives or marketing, never a product type. */
const NOT_A_TYPE = new Set([
  'and',
  'for',
  'with',
  'the',
  'from',
  'per',
  'over',
  'gen',
  'via',
  'into',
  'only',
  'sht',
  'incl',
  'inch',
  'pages',
  'pixels',
  'original',
  'compatible',
  'black',
  'white',
  'silver',
  'grey',
  'gray',
  'blue',
  'red',
  'green',
  'yellow',
  'cyan',
  'magenta',
  'mah',
  'dpi',
  'ppm',
  'rpm',
  'mbit/s',
  'gbit/s',
  'kbit/s',
  'fps',
  'bit',
  'cores',
  'pc(s)',
  'pcs',
]);

const TYPE_WORD = /^[a-z][a-z\-/]*[a-z]$/;

function isTypeWord(word: string): boolean {
  return word.length >= 3 && TYPE_WORD.test(word) && !NOT_A_TYPE.has(word);
}

/**
 * The product-type phrase of an Icecat title ("ink cartridge", "notebook"), or null. `productType`
 * is the attr_t_product_type value, used when the title has no lower-case run.
 */
export function icecatProductType(
  title: string,
  name?: string | null,
  supplier?: string | null,
  productType?: string | null,
): string | null {
  let rest = title;
  if (supplier && rest.startsWith(supplier)) rest = rest.slice(supplier.length);
  // A model code ("14N1070") marks where the type starts; a descriptive name does not.
  if (name && !/\s/.test(name.trim())) {
    const at = rest.indexOf(name.trim());
    if (at >= 0) rest = rest.slice(at + name.trim().length);
  }
  const words = rest.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i += 1) {
    if (!isTypeWord(words[i]!)) continue;
    const run = [words[i]!];
    for (let j = i + 1; j < words.length && run.length < 4 && isTypeWord(words[j]!); j += 1)
      run.push(words[j]!);
    return run.join(' ');
  }
  const fallback = productType?.trim().toLowerCase();
  return fallback ? fallback : null;
}

/** First match wins: specific groups (supplies, cables, power) before broad ones (networking, computers). */
const GROUPS: Array<[string, RegExp]> = [
  [
    'Printing Supplies',
    /\b(toner|ink|cartridges?|drum|fuser|print ?heads?|ribbons?|photo paper|paper|labels?|printable|waste toner)\b/,
  ],
  [
    'Cables & Adapters',
    /\b(cables?|patch cord|cords?|connectors?|couplers?|splitters?|gender changers?|adapters? cable)\b/,
  ],
  [
    'Power',
    /\b(power (adapter|supply|supplies|bank|plug|strip)|batter(y|ies)|chargers?|ups|surge|inverters?|pdus?)\b/,
  ],
  ['Cables & Adapters', /\b(adapters?|converters?|hubs?|extenders?|docking|port replicator|kvm)\b/],
  [
    'Printers & Scanners',
    /\b(printers?|scanners?|copiers?|multifunctional|plotters?|fax|skrivare|label makers?)\b/,
  ],
  [
    'Networking',
    /\b(network|switch(es)?|routers?|access points?|transceivers?|modems?|wlan|wi-?fi|firewall|nas|antennas?|media converter)\b/,
  ],
  ['Cases & Bags', /\b(cases?|bags?|backpacks?|sleeves?|covers?|pouch(es)?|holsters?)\b/],
  [
    'Computers',
    /\b(notebooks?|laptops?|pcs?|computers?|servers?|workstations?|tablets?|thin clients?|all-in-one|handheld|chromebook)\b/,
  ],
  [
    'Components & Storage',
    /\b(processors?|memory|motherboards?|graphics cards?|hard (disk )?drives?|hdds?|ssds?|solid state|drives?|storage|dimm|ram|flash|card reader|optical disc)\b/,
  ],
  [
    'Displays & Projectors',
    /\b(monitors?|displays?|projectors?|projector lamps?|screens?|tvs?|television|signage)\b/,
  ],
  [
    'Audio',
    /\b(headphones?|headsets?|earphones?|earbuds?|speakers?|microphones?|soundbars?|audio)\b/,
  ],
  ['Cameras', /\b(cameras?|lens(es)?|camcorders?|tripods?|webcams?)\b/],
  [
    'Input Devices',
    /\b(keyboards?|mouse|mice|trackballs?|presenters?|graphic tablets?|game ?pads?|joysticks?)\b/,
  ],
  ['Phones', /\b(phones?|smartphones?|mobile|telephones?)\b/],
  [
    'Toys & Games',
    /\b(toys?|puzzles?|games?|dolls?|figures?|playsets?|vehicles?|trucks?|beads|kids|building)\b/,
  ],
  [
    'Office Supplies',
    /\b(notebook pad|binders?|folders?|staplers?|pens?|markers?|shredders?|laminators?|calculators?)\b/,
  ],
];

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface IcecatCategory {
  path: string;
  name: string;
  level: number;
}

/** "Printing Supplies/Ink cartridge" from the type phrase; the group alone from the title; else null. */
export function icecatCategory(title: string, productType: string | null): IcecatCategory | null {
  const lowerType = productType?.toLowerCase() ?? null;
  const groupOf = (text: string) => GROUPS.find(([, re]) => re.test(text))?.[0] ?? null;
  const group = (lowerType && groupOf(lowerType)) ?? groupOf(title.toLowerCase());
  if (lowerType) {
    const leaf = capitalise(lowerType);
    const path = `${group ?? 'Other'}/${leaf}`;
    return { path, name: leaf, level: 2 };
  }
  return group ? { path: group, name: group, level: 1 } : null;
}
