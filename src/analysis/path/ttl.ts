/** TTL / hop-limit arithmetic: the initial value is inferred, never assumed. */

/** Initial TTLs in use by common stacks (Linux/ESXi 64, Windows 128, network gear 255, old stacks 32). */
export const INITIAL_TTLS = [32, 64, 128, 255] as const;

/** Smallest common initial value not below the observed one. */
export function inferInitialTtl(observed: number): number {
  for (const v of INITIAL_TTLS) if (observed <= v) return v;
  return 255;
}

/** Routers passed between the sender and the capture point, assuming the inferred initial value. */
export function hopsFromTtl(observed: number): number {
  return inferInitialTtl(observed) - observed;
}
