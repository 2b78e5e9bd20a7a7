// Medians and percentiles, for the status line of npm run local and for the benchmarks: every figure is quoted as a
// median (or a percentile), never a mean, because these machines are noisy.

/** The q-quantile (0..1) of `values`, by the nearest-rank method. */
export function percentile(values: readonly number[], q: number): number {
    if (values.length === 0) throw new Error("no values");
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
    return sorted[rank - 1]!;
}

export function median(values: readonly number[]): number {
    if (values.length === 0) throw new Error("no values");
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
