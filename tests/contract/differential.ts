// The differential: generated SQS bodies (generated-orders.ts) judged by the function (one process for all of them)
// and by the published schema (docs/asyncapi.yaml's Order, compiled as the console and the contract test compile
// it), compared as the contract test compares the corpus (verdicts.ts). Where the schema can judge a case, both must
// give the same verdict, and for a rejected order the function's reason must name the fields the schema names. Two
// JSON readers are compared too: the function must not call "not valid JSON" what JavaScript's JSON.parse reads.
import { compileOrderSchema, readOrderMessage } from "../../local/console/order-contract";
import { functionVerdicts } from "./function-verdicts";
import { type GeneratedCase, generateCases } from "./generated-orders";
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
    readonly disagreements: readonly Disagreement[];
    /** Seconds spent generating, in the function's process, and in the schema. */
    readonly seconds: { readonly generate: number; readonly function: number; readonly schema: number };
}

const DEPTH_REASON = /^order is not valid JSON: The maximum configured depth of 16 has been exceeded/;

export async function runDifferential(seed: number, count: number, cases?: readonly GeneratedCase[]): Promise<DifferentialReport> {
    const t0 = performance.now();
    const generated = cases ?? generateCases(seed, count);
    const t1 = performance.now();
    const verdicts = await functionVerdicts(generated.map((c) => c.body));
    const t2 = performance.now();
    const validate = compileOrderSchema(readOrderMessage().payload.schema);
    const rules = functionOnlyRules();
    const disagreements: Disagreement[] = [];
    let judged = 0;
    let functionOnly = 0;
    let inexact = 0;
    let stored = 0;
    generated.forEach((c, i) => {
        const verdict = verdicts[i]!;
        if (verdict.valid) stored++;
        if (!verdict.valid && verdict.reason?.startsWith("order is not valid JSON") && !DEPTH_REASON.test(verdict.reason) && parsedOrder(c.body) !== undefined) {
            disagreements.push({ kind: c.kind, body: c.body, detail: `the function calls it not JSON (${verdict.reason}), JSON.parse reads it` });
            return;
        }
        if (c.inexactNumber) {
            inexact++;
            return;
        }
        const comparison = compareVerdicts(validate, rules, c.body, { valid: verdict.valid, reason: verdict.reason, reasonIsWhole: true });
        if (comparison.judged) judged++;
        else if (!comparison.disagreement) functionOnly++;
        if (comparison.disagreement) disagreements.push({ kind: c.kind, body: c.body, detail: comparison.disagreement });
    });
    const t3 = performance.now();
    return {
        seed,
        cases: generated.length,
        judged,
        functionOnly,
        inexact,
        stored,
        disagreements,
        seconds: { generate: (t1 - t0) / 1000, function: (t2 - t1) / 1000, schema: (t3 - t2) / 1000 },
    };
}

/** A disagreement for people: the body shortened, its characters escaped so that none hides. */
export function describeDisagreement(d: Disagreement): string {
    const body = JSON.stringify(d.body.length > 300 ? `${d.body.slice(0, 300)}… (${d.body.length} characters)` : d.body);
    return `${d.kind}: ${d.detail}\n    body ${body}`;
}
