// The retry backoff of a record that failed for a transient reason (throttling, a 5xx, a timeout), and the outage
// tolerance it gives: the formula, once. The function draws its delays from the same ranges
// (functions/OrderProcessor/Processing/BackoffSchedule.cs, fed RETRY_BACKOFF_BASE_SECONDS and
// RETRY_BACKOFF_MAX_SECONDS by the stack); the stack, the README, the runbook and `npm run local` state the tolerance
// computed here.
//
// After the n-th receive of a message fails (n is SQS's ApproximateReceiveCount, 1 on the first receive), the function
// sets the message's visibility timeout to a whole number of seconds drawn uniformly from
// [D(n) − ⌊D(n)/10⌋, D(n)], where D(n) = min(max, base · 2^(n−1)): jitter only downwards, so the cap holds, and the
// messages of one outage do not all come back at once. SQS counts a new visibility timeout from the call
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html), which
// comes after the receive, so the real gaps are never shorter than the delays drawn.

/** The longest visibility timeout SQS accepts, 12 hours, counted from the message's receive (ChangeMessageVisibility). */
export const SQS_MAX_VISIBILITY_TIMEOUT_SECONDS = 43200;

/** The share of a delay that jitter may take off: a delay is drawn from [D − ⌊D/10⌋, D]. */
export const JITTER_FRACTION = 0.1;

/** The settings the formula reads; PipelineSettings has them under the same names. */
export interface BackoffSettings {
    /** D(1): the delay after the first failed receive, in seconds. */
    readonly retryBackoffBaseSeconds: number;
    /** The cap on any delay, in seconds. */
    readonly retryBackoffMaxSeconds: number;
    /** Receives before SQS moves a message to the dead-letter queue. */
    readonly maxReceiveCount: number;
}

/** A delay's range in whole seconds, both ends included. */
export interface DelayRange {
    readonly minSeconds: number;
    readonly maxSeconds: number;
}

/** D(n) = min(max, base · 2^(n−1)), never above SQS's limit. Receive counts below 1 count as 1. */
export function nominalDelaySeconds(receiveCount: number, s: Pick<BackoffSettings, "retryBackoffBaseSeconds" | "retryBackoffMaxSeconds">): number {
    const cap = Math.min(s.retryBackoffMaxSeconds, SQS_MAX_VISIBILITY_TIMEOUT_SECONDS);
    // Past 2^30 every base is far above the cap; clamping keeps the arithmetic exact, as the C# side does.
    const exponent = Math.min(Math.max(Math.floor(receiveCount) - 1, 0), 30);
    return Math.min(cap, s.retryBackoffBaseSeconds * 2 ** exponent);
}

/** The range the function draws the delay after the `receiveCount`-th failed receive from: [D − ⌊D/10⌋, D]. */
export function backoffDelayRange(receiveCount: number, s: Pick<BackoffSettings, "retryBackoffBaseSeconds" | "retryBackoffMaxSeconds">): DelayRange {
    const nominal = nominalDelaySeconds(receiveCount, s);
    // ⌊D/10⌋ in integers (D · JITTER_FRACTION in floating point could land a hair off): the same as the C# side.
    return { minSeconds: nominal - Math.floor(nominal / Math.round(1 / JITTER_FRACTION)), maxSeconds: nominal };
}

/**
 * The outage tolerance, in seconds: the guaranteed time from a message's first failed receive to its last receive,
 * Σ_{n=1}^{maxReceiveCount−1} (D(n) − ⌊D(n)/10⌋), i.e. every delay drawn at its minimum. A dependency that is back
 * within it loses no valid order to the dead-letter queue; the last receive then stores it.
 */
export function outageToleranceSeconds(s: BackoffSettings): number {
    let total = 0;
    for (let n = 1; n < s.maxReceiveCount; n++) total += backoffDelayRange(n, s).minSeconds;
    return total;
}

/** The longest a delayed order waits after its dependency is back: no delay is longer than the cap. */
export function recoveryDelaySeconds(s: BackoffSettings): number {
    let longest = 0;
    for (let n = 1; n < s.maxReceiveCount; n++) longest = Math.max(longest, backoffDelayRange(n, s).maxSeconds);
    return longest;
}

/**
 * The retry backoff's defaults scale with the queue's visibility timeout V: base 16·V and cap 18·V. At
 * maxReceiveCount 3 that gives an outage tolerance of 0.9·(16 + 18)·V ≈ 30·V (918 s at the default V = 30, over
 * 15 minutes), and a delayed order is stored at most 18·V after the table is back (540 s).
 */
export const BACKOFF_BASE_PER_VISIBILITY = 16;
export const BACKOFF_MAX_PER_VISIBILITY = 18;

/** The settings that bound how long the function may hold a message; PipelineSettings has them under the same names. */
export interface InvocationWindow {
    readonly functionTimeoutSeconds: number;
    readonly maximumBatchingWindowSeconds: number;
}

/** AWS's guidance for queues that feed Lambda: a message must not reappear while a retried invocation may still hold it. */
export function minimumVisibilityTimeout(s: InvocationWindow): number {
    return 6 * s.functionTimeoutSeconds + s.maximumBatchingWindowSeconds;
}

/**
 * The longest backoff delay SQS will take: a message stays invisible at most 12 hours from its receive
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html), and the
 * function changes it up to a batching window plus a function timeout after the event source received it.
 */
export function backoffLimitSeconds(s: InvocationWindow): number {
    return SQS_MAX_VISIBILITY_TIMEOUT_SECONDS - s.functionTimeoutSeconds - s.maximumBatchingWindowSeconds;
}

/**
 * The backoff settings with defaults for the keys that are not set: base 16·V and cap 18·V (V the visibility
 * timeout), the base never above the cap, the cap never below the base, both within backoffLimitSeconds. A key that is
 * set is kept as it is (config-validation.ts judges it).
 */
export function retryBackoffDefaults(
    s: InvocationWindow & { readonly queueVisibilityTimeoutSeconds: number },
    set: { readonly retryBackoffBaseSeconds?: number; readonly retryBackoffMaxSeconds?: number } = {},
): { retryBackoffBaseSeconds: number; retryBackoffMaxSeconds: number } {
    const limit = backoffLimitSeconds(s);
    const visibility = s.queueVisibilityTimeoutSeconds;
    const base = set.retryBackoffBaseSeconds ?? Math.max(1, Math.min(BACKOFF_BASE_PER_VISIBILITY * visibility, set.retryBackoffMaxSeconds ?? limit, limit));
    const max = set.retryBackoffMaxSeconds ?? Math.min(limit, Math.max(BACKOFF_MAX_PER_VISIBILITY * visibility, base));
    return { retryBackoffBaseSeconds: base, retryBackoffMaxSeconds: max };
}
