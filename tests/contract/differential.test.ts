// The function's reader against the published schema on generated orders (tests/contract/differential.ts): 20,000
// cases from a fixed seed and 20,000 from a fresh one (printed), batched through one process per side.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { buildVerdictTool } from "./function-verdicts";
import { generateCases } from "./generated-orders";
import { describeDisagreement, runDifferential } from "./differential";

const CASES = 20_000;

describe("generated orders: the function and the published schema agree", () => {
    before(() => buildVerdictTool());

    const check = async (seed: number) => {
        const report = await runDifferential(seed, CASES);
        console.log(
            `differential seed ${seed}: ${report.cases} cases, ${report.stored} stored by the function, ${report.judged} judged by both, ` +
                `${report.functionOnly} left to the function's own rules, ${report.inexact} with more digits than a double; ` +
                `${report.disagreementCount} disagreements (function ${report.seconds.function.toFixed(1)} s, schema ${report.seconds.schema.toFixed(1)} s)`,
        );
        assert.deepEqual(report.disagreements.slice(0, 20).map(describeDisagreement), [], `seed ${seed}`);
        // The cases reach both sides of the rules: many stored, many judged, some left to the function.
        assert.ok(report.stored > CASES / 10, `only ${report.stored} stored`);
        assert.ok(report.judged > CASES / 2, `only ${report.judged} judged`);
        assert.ok(report.functionOnly > 0 && report.inexact > 0);
    };

    it("a fixed seed", async () => {
        await check(20261206);
    });

    it("a fresh seed", async () => {
        await check(Math.floor(Math.random() * 2 ** 32));
    });

    it("the generator reaches every rule's edge", () => {
        const kinds = generateCases(1, CASES).map((c) => c.kind).join("\n");
        for (const edge of [
            /orderId: 1024 UTF-8 bytes/, /orderId: 1025 UTF-8 bytes/, /userId: 1023 UTF-8 bytes/, /status: 65 \w+ code points/, /itemName: 1025 \w+ code points/,
            /whiteSpace U\+FEFF at the (start|end)/, /control U\+0000/, /bidi U\+202E/, /surrogate U\+D800/, /lookalike U\+200B/,
            /quantity spelled/, /quantity with more digits than a double/, /timestamp: the range's edges/, /timestamp: separator, fraction and offset forms/,
            /given twice/, /missing/, /of another type/, /unknown fields/, /nested 17 levels deep/, /6553[67] bytes/, /not an order object/, /white space around the order/, /\(in an SNS envelope\)/,
        ]) {
            assert.match(kinds, edge);
        }
    });
});
