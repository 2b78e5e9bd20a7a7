// The differential: generated SQS bodies (generated-orders.ts) judged by the function (one process for all of them)
// and by the published schema (docs/asyncapi.yaml's Order, compiled as the console and the contract test compile
// it), compared as the contract test compares the corpus (verdicts.ts). Where the schema can judge a case, both must
// give the same verdict, and for a rejected order the function's reason must name the fields the schema names. Two
// JSON readers are compared too: the function must not call "not valid JSON" what JavaScript's JSON.parse reads.
import { compileOrderSchema, readOrderMessage } from "../../local/console/order-contract";
import { functionVerdicts } from "./function-verdicts";
import { random } from "../random";
import { type GeneratedCase, generateCase } from "./generated-orders";
import { compareVerdicts, functionOnlyRules, parsedOrder } from "./verdicts";

export interface Disagreement {
    readonly kind: string;
    readonly body: string;
    readonly detail: string;
}

export interface DifferentialReport {
    readonly seed: number;
    readonly cases: number;
    /** Judged by both sides. */
    readonly judged: number;
    /** Left to the function: its reason is one of the document's function-only rules. */
    readonly functionOnly: number;
    /** A number with more digits than a double holds: the schema judges its rounding (see generated-orders.ts). */
    readonly inexact: number;
    /** Cases the function stored. */
    readonly stored: number;
    /** The first thousand disagreements; `disagreementCount` counts them all. */
    readonly disagreements: readonly Disagreement[];
    readonly disagreementCount: number;
    /** Seconds spent generating, in the function's process, and in the schema. */
    readonly seconds: { readonly generate: number; readonly function: number; readonly schema: number };
}

const DEPTH_REASON = /^order is not valid JSON: The maximum configured depth of 16 has been exceeded/;

/** Cases per batch: one process of the function's per batch, so that a million cases never sit in memory at once. */
const BATCH = 50_000;

/** `count` cases from `seed`, judged by both sides, a batch at a time; the report of all of them. */
export async function runDifferential(seed: number, count: number): Promise<DifferentialReport> {
    const next = random(seed);
    const validate = compileOrderSchema(readOrderMessage().payload.schema);
    const rules = functionOnlyRules();
    const disagreements: Disagreement[] = [];
    const totals = { judged: 0, functionOnly: 0, inexact: 0, stored: 0, disagreementCount: 0 };
    const seconds = { generate: 0, function: 0, schema: 0 };
    for (let done = 0; done < count; done += BATCH) {
        const t0 = performance.now();
        const cases = Array.from({ length: Math.min(BATCH, count - done) }, () => generateCase(next));
        const t1 = performance.now();
        const verdicts = await functionVerdicts(cases.map((c) => c.body));
        const t2 = performance.now();
        compareBatch(validate, rules, cases, verdicts, totals, disagreements);
        seconds.generate += (t1 - t0) / 1000;
        seconds.function += (t2 - t1) / 1000;
        seconds.schema += (performance.now() - t2) / 1000;
    }
    return { seed, cases: count, ...totals, disagreements, seconds };
}

function compareBatch(
    validate: ReturnType<typeof compileOrderSchema>,
    rules: ReturnType<typeof functionOnlyRules>,
    generated: readonly GeneratedCase[],
    verdicts: ReadonlyArray<{ valid: boolean; reason?: string }>,
    totals: { judged: number; functionOnly: number; inexact: number; stored: number; disagreementCount: number },
    disagreements: Disagreement[],
): void {
    generated.forEach((c, i) => {
        const verdict = verdicts[i]!;
        if (verdict.valid) totals.stored++;
        if (!verdict.valid && verdict.reason?.startsWith("order is not valid JSON") && !DEPTH_REASON.test(verdict.reason) && parsedOrder(c.body) !== undefined) {
            totals.disagreementCount++;
            if (disagreements.length < 1000) disagreements.push({ kind: c.kind, body: c.body, detail: `the function calls it not JSON (${verdict.reason}), JSON.parse reads it` });
            return;
        }
        if (c.inexactNumber) {
            totals.inexact++;
            return;
        }
        const comparison = compareVerdicts(validate, rules, c.body, { valid: verdict.valid, reason: verdict.reason, reasonIsWhole: true });
        if (comparison.judged) totals.judged++;
        else if (!comparison.disagreement) totals.functionOnly++;
        // At most a thousand kept: a broken rule would otherwise keep every case in memory.
        if (comparison.disagreement) totals.disagreementCount++;
        if (comparison.disagreement && disagreements.length < 1000) disagreements.push({ kind: c.kind, body: c.body, detail: comparison.disagreement });
    });
}

/** A disagreement for people: the body shortened, its characters escaped so that none hides. */
export function describeDisagreement(d: Disagreement): string {
    const body = JSON.stringify(d.body.length > 300 ? `${d.body.slice(0, 300)}… (${d.body.length} characters)` : d.body);
    return `${d.kind}: ${d.detail}\n    body ${body}`;
}
