/**
 * BackendKeyData the gateways hand out. The process id carries the issuing gateway's index
 * in its top byte, so a CancelRequest that reaches another gateway (clients may cancel through
 * any address) can be forwarded to the one that holds the session.
 */
import { randomInt } from 'node:crypto';

const SESSION_BITS = 23;
const SESSION_MASK = (1 << SESSION_BITS) - 1;

export class CancelKeys {
  private next = randomInt(1, SESSION_MASK);

  constructor(private readonly gatewayIndex: number) {
    if (gatewayIndex < 0 || gatewayIndex > 255) throw new Error(`gateway index ${gatewayIndex} out of range`);
  }

  issue(): { processId: number; secretKey: number } {
    this.next = (this.next % SESSION_MASK) + 1;
    return { processId: (this.gatewayIndex << SESSION_BITS) | this.next, secretKey: randomInt(-(2 ** 31), 2 ** 31 - 1) };
  }
}

/** The gateway that issued `processId`. */
export function gatewayOf(processId: number): number {
  return processId >>> SESSION_BITS;
}
