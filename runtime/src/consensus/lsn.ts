/** Postgres WAL positions (`16/B374D848`) as comparable integers. */
export function parseLsn(lsn: string | null | undefined): bigint {
  if (!lsn) return -1n;
  const [high, low] = lsn.split('/');
  if (high === undefined || low === undefined) throw new Error(`not an LSN: ${lsn}`);
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

export function formatLsn(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** The larger of two LSNs, treating null as "nothing". */
export function maxLsn(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return parseLsn(a) >= parseLsn(b) ? a : b;
}
