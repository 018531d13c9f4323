/** Branded ids: a LaneId cannot be passed where an ActivityId is due. */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type LaneId = Brand<string, 'LaneId'>;
export type ActivityId = Brand<string, 'ActivityId'>;
export type MunicipalityId = Brand<string, 'MunicipalityId'>;

// Web Crypto exists in browsers and Node >= 19; declared here so the package needs neither DOM nor Node types.
declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T };

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A short random id (~62 bits). Uses getRandomValues, not randomUUID, because the
 * board also runs from a plain-http LAN address, which browsers do not treat as a
 * secure context.
 */
export function randomId(length = 12): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  let id = '';
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return id;
}

export const newLaneId = (): LaneId => `l_${randomId()}` as LaneId;
export const newActivityId = (): ActivityId => `a_${randomId()}` as ActivityId;
export const newMunicipalityId = (): MunicipalityId => `m_${randomId()}` as MunicipalityId;

/** Ids are plain strings on the wire; these only say "trust me, I checked". */
export const asLaneId = (id: string): LaneId => id as LaneId;
export const asActivityId = (id: string): ActivityId => id as ActivityId;
export const asMunicipalityId = (id: string): MunicipalityId => id as MunicipalityId;
