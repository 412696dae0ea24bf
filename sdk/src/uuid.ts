const hex = (b: number) => (b < 16 ? '0' : '') + b.toString(16);

/** Ten random bytes from the platform's CSPRNG (browsers and Node both have `crypto.getRandomValues`). */
export function randomBytes(): Uint8Array {
  const c = (globalThis as unknown as { crypto: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto;
  return c.getRandomValues(new Uint8Array(10));
}

let lastMs = -1;
let counter = 0;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, a 12-bit counter (method 1 of the
 * RFC), then 62 random bits. Made when the event happens, so a retry resends the same id. Ids of
 * one page only increase, even within a millisecond: the server orders heartbeats of the same
 * instant by id, and a reloaded buffer is sent in id order — both must be creation order.
 * @example uuidv7(Date.now()) // '0192f1c2-5a3b-7c4d-8e5f-0123456789ab'
 */
export function uuidv7(nowMs: number, random: Uint8Array = randomBytes()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    counter = ((random[0]! << 8) | random[1]!) & 0x7ff; // a random start in the lower half: room to count
  } else if (++counter > 0xfff) {
    lastMs++; // 4096 ids in one millisecond: borrow the next one
    counter = 0;
  }
  const b: number[] = [];
  for (let i = 5; i >= 0; i--) b.push(Math.floor(lastMs / 2 ** (8 * i)) & 0xff);
  b.push(0x70 | (counter >> 8), counter & 0xff, 0x80 | (random[2]! & 0x3f));
  for (let i = 3; i < 10; i++) b.push(random[i]!);
  const h = b.map(hex).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
