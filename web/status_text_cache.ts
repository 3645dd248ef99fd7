/**
 * Serialisations kept by snapshot identity. A {@link StatusSource} returns the same object
 * again only while it is unchanged (the daemon's source within its cache period, the status
 * thread's worker until the next push), so the hot routes (`/api/status`, `/health`,
 * `/metrics`) serialise each snapshot once instead of once per request.
 *
 * @module
 */

/**
 * Wraps a computation so that it runs once per argument object.
 *
 * @param compute The computation; it must depend on nothing but its argument.
 * @returns The same computation, remembered per object (weakly, so old snapshots are freed).
 */
export function byIdentity<K extends object, V>(
  compute: (key: K) => V,
): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key) as V;
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}
