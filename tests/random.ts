// A seeded generator for the generated tests (histories, orders): the same seed gives the same cases on every machine.

/** A small, fast PRNG with a 32-bit state (mulberry32): the same seed gives the same sequence on every machine. */
export function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** One of `items`, chosen by `next`. */
export const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
