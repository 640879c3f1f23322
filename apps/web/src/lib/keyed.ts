/**
 * Items that have no identity but their place (a patch's lines, the blocks of one stream line,
 * which never reorder) paired with a stable key made of a prefix and that place.
 */
export function keyed<T>(items: T[], prefix = ""): Array<{ item: T; key: string }> {
  return items.map((item, index) => ({ item, key: `${prefix}:${index}` }));
}
