/**
 * JSON for derived data that holds Maps and Sets (the answerer's vocabulary), so other modules
 * can keep what they compute from the whole collection in the index without writing their own
 * file format: `toStorable` turns Maps and Sets into tagged arrays, `fromStorable` turns them back.
 */
type Tagged = { $map: [unknown, unknown][] } | { $set: unknown[] };

export function toStorable(value: unknown): unknown {
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [toStorable(k), toStorable(v)]) };
  if (value instanceof Set) return { $set: [...value].map(toStorable) };
  if (Array.isArray(value)) return value.map(toStorable);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toStorable(v)]));
  return value;
}

export function fromStorable<T>(value: unknown): T {
  return revive(value) as T;
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    const tagged = value as Tagged;
    if ('$map' in tagged && Array.isArray(tagged.$map)) return new Map(tagged.$map.map(([k, v]) => [revive(k), revive(v)]));
    if ('$set' in tagged && Array.isArray(tagged.$set)) return new Set(tagged.$set.map(revive));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}
