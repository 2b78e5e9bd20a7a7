// The retry backoff and the outage tolerance (infra/backoff.ts), checked against a simulated SQS queue: one message
// received again and again while the table is down, its visibility set to a delay drawn from the backoff's range.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    backoffDelayRange,
    type BackoffSettings,
    JITTER_FRACTION,
    nominalDelaySeconds,
    outageToleranceSeconds,
    recoveryDelaySeconds,
    SQS_MAX_VISIBILITY_TIMEOUT_SECONDS,
} from "../../infra/backoff";
import { DEFAULTS } from "../../infra/config";
import { loadStackSettings } from "../../infra/stack-file";

/** How a delay is drawn from [min, max]: the function draws uniformly; the tests also take the extremes. */
type Draw = (min: number, max: number) => number;
const lowest: Draw = (min) => min;
const highest: Draw = (_, max) => max;
/** Uniform whole seconds from a seeded generator (mulberry32), as the function draws them, repeatably. */
function seeded(seed: number): Draw {
    let state = seed >>> 0;
    const random = () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    return (min, max) => Math.min(max, min + Math.floor(random() * (max - min + 1)));
}

interface Outcome {
    /** When each receive happened, seconds after the first (receive 1 at 0). */
    readonly receives: readonly number[];
    /** Stored on its last receive, or moved to the dead-letter queue. */
    readonly result: "stored" | "dead-lettered";
    /** Every visibility timeout the function set. */
    readonly delays: readonly number[];
}

/**
 * SQS, for one message: each receive raises ApproximateReceiveCount; a receive while the table is down fails, and
 * the function sets the message's visibility to a delay drawn from the backoff's range for that count; once the
 * count would pass maxReceiveCount, SQS moves the message to the DLQ instead of delivering it. Processing takes no
 * time here (on AWS it only adds to each gap, since SQS counts the new timeout from the call).
 */
function simulate(s: BackoffSettings, tableDownForSeconds: number, draw: Draw): Outcome {
    const receives: number[] = [];
    const delays: number[] = [];
    let now = 0;
    for (let receiveCount = 1; receiveCount <= s.maxReceiveCount; receiveCount++) {
        receives.push(now);
        if (now >= tableDownForSeconds) return { receives, result: "stored", delays };
        const { minSeconds, maxSeconds } = backoffDelayRange(receiveCount, s);
        const delay = draw(minSeconds, maxSeconds);
        assert.ok(delay >= minSeconds && delay <= maxSeconds, `drew ${delay} outside [${minSeconds}, ${maxSeconds}]`);
        delays.push(delay);
        now += delay;
    }
    return { receives, result: "dead-lettered", delays };
}

const dev: BackoffSettings = { retryBackoffBaseSeconds: 480, retryBackoffMaxSeconds: 540, maxReceiveCount: 3 };
const settingsUnderTest: readonly BackoffSettings[] = [
    dev,
    { retryBackoffBaseSeconds: 1, retryBackoffMaxSeconds: 1, maxReceiveCount: 1 },
    { retryBackoffBaseSeconds: 7, retryBackoffMaxSeconds: 100, maxReceiveCount: 6 },
    { retryBackoffBaseSeconds: 15, retryBackoffMaxSeconds: 43195, maxReceiveCount: 12 },
    { retryBackoffBaseSeconds: 30000, retryBackoffMaxSeconds: 43195, maxReceiveCount: 5 },
    { retryBackoffBaseSeconds: 192, retryBackoffMaxSeconds: 216, maxReceiveCount: 3 },
];

describe("retry backoff", () => {
    it("D(n) doubles from the base and stops at the cap; the range takes off at most a tenth, downwards", () => {
        assert.deepEqual([1, 2, 3, 4].map((n) => nominalDelaySeconds(n, dev)), [480, 540, 540, 540]);
        assert.deepEqual(backoffDelayRange(1, dev), { minSeconds: 432, maxSeconds: 480 });
        assert.deepEqual(backoffDelayRange(2, dev), { minSeconds: 486, maxSeconds: 540 });
        const small = { retryBackoffBaseSeconds: 5, retryBackoffMaxSeconds: 100 };
        assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => nominalDelaySeconds(n, small)), [5, 10, 20, 40, 80, 100]);
        assert.deepEqual(backoffDelayRange(6, small), { minSeconds: 90, maxSeconds: 100 });
        assert.deepEqual(backoffDelayRange(1, small), { minSeconds: 5, maxSeconds: 5 }, "⌊5/10⌋ = 0: no jitter below 10 s");
        assert.equal(nominalDelaySeconds(0, small), 5, "a receive count below 1 counts as 1");
        assert.equal(JITTER_FRACTION, 0.1);
    });

    it("no delay is ever above the cap or SQS's 12 hours, nor below 90 % of D(n)", () => {
        const huge = { retryBackoffBaseSeconds: 40000, retryBackoffMaxSeconds: 999999, maxReceiveCount: 1000 };
        for (const s of [...settingsUnderTest, huge]) {
            for (let n = 1; n <= 1000; n++) {
                const { minSeconds, maxSeconds } = backoffDelayRange(n, s);
                assert.ok(maxSeconds <= s.retryBackoffMaxSeconds || s === huge, `receive ${n}: ${maxSeconds} above the cap`);
                assert.ok(maxSeconds <= SQS_MAX_VISIBILITY_TIMEOUT_SECONDS, `receive ${n}: ${maxSeconds} above 43200`);
                assert.ok(Number.isInteger(minSeconds) && Number.isInteger(maxSeconds));
                assert.ok(minSeconds >= 0.9 * maxSeconds && minSeconds <= maxSeconds, `receive ${n}: [${minSeconds}, ${maxSeconds}]`);
            }
        }
        assert.equal(backoffDelayRange(1000, huge).maxSeconds, SQS_MAX_VISIBILITY_TIMEOUT_SECONDS);
    });

    it("with every delay at its minimum, the last receive comes exactly at the outage tolerance", () => {
        for (const s of settingsUnderTest) {
            const run = simulate(s, Number.POSITIVE_INFINITY, lowest);
            assert.equal(run.result, "dead-lettered");
            assert.equal(run.receives.length, s.maxReceiveCount);
            assert.equal(run.receives.at(-1), outageToleranceSeconds(s), JSON.stringify(s));
        }
    });

    it("whatever the draws, the last receive comes no earlier than the outage tolerance", () => {
        for (const s of settingsUnderTest) {
            const tolerance = outageToleranceSeconds(s);
            for (const draw of [lowest, highest, ...[1, 2, 3, 4, 5, 6, 7, 8].map(seeded)]) {
                const run = simulate(s, Number.POSITIVE_INFINITY, draw);
                assert.ok(run.receives.at(-1)! >= tolerance, `${JSON.stringify(s)}: last receive at ${run.receives.at(-1)} < ${tolerance}`);
                assert.ok(run.delays.every((delay) => delay <= s.retryBackoffMaxSeconds));
            }
        }
    });

    it("an outage as long as the tolerance dead-letters nothing; one second longer can, with the shortest draws", () => {
        for (const s of settingsUnderTest.filter((x) => x.maxReceiveCount > 1)) {
            const tolerance = outageToleranceSeconds(s);
            for (const draw of [lowest, highest, ...[11, 12, 13].map(seeded)]) {
                assert.equal(simulate(s, tolerance, draw).result, "stored", `${JSON.stringify(s)}, outage ${tolerance} s`);
            }
            assert.equal(simulate(s, tolerance + 1, lowest).result, "dead-lettered");
        }
    });

    it("after the outage, an order waits at most the cap for its next receive", () => {
        for (const s of settingsUnderTest.filter((x) => x.maxReceiveCount > 1)) {
            const tolerance = outageToleranceSeconds(s);
            for (let outage = 1; outage <= tolerance; outage += Math.max(1, Math.floor(tolerance / 50))) {
                const run = simulate(s, outage, highest);
                assert.equal(run.result, "stored");
                assert.ok(run.receives.at(-1)! - outage <= recoveryDelaySeconds(s), `outage ${outage}: stored at ${run.receives.at(-1)}`);
            }
            assert.ok(recoveryDelaySeconds(s) <= s.retryBackoffMaxSeconds);
        }
    });

    it("the dev and prod settings tolerate a 15-minute table outage, 30 × the visibility timeout, and recover within 10 minutes", () => {
        assert.equal(outageToleranceSeconds(dev), 918);
        assert.equal(recoveryDelaySeconds(dev), 540);
        for (const settings of [DEFAULTS, loadStackSettings("dev"), loadStackSettings("prod")]) {
            const tolerance = outageToleranceSeconds(settings);
            assert.ok(tolerance >= 15 * 60, `${tolerance} s`);
            assert.ok(tolerance >= 30 * settings.queueVisibilityTimeoutSeconds, `${tolerance} s`);
            assert.ok(recoveryDelaySeconds(settings) < 10 * 60);
        }
    });
});
