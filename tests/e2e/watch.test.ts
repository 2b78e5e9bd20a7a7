// npm run local -- --watch, as a developer uses it: orders flow while the function's C# changes. A rule's reason is
// reworded and the next invalid order shows the new reason; a change that does not compile keeps the old code serving;
// undoing it leaves that code serving; rewording it back swaps again. Every valid order published throughout is stored once, none lost. The function is a
// copy of functions/OrderProcessor inside the repository (so that it builds with the repository's props), edited by
// the test; the managed runtime keeps the three builds short (the AOT swap's time: npm run bench).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { PROJECT } from "../../infra/config";
import { functionDirectory, repositoryRoot } from "../../infra/repository";
import type { ReloadOutcome } from "../../local/pipeline";
import { watchFunction } from "../../local/watch";
import { assertNothingLost, order, startTestPipeline, type TestPipeline, waitUntil } from "./harness";

const copy = path.join(repositoryRoot, ".build", `watch-test-${process.pid}`, "functions", "OrderProcessor");
const reader = path.join(copy, "Orders", "OrderReader.cs");
const OLD_REASON = "quantity: must be at least 1";
const NEW_REASON = "quantity: must be 1 or more";

describe("the watch mode", () => {
    let pipeline: TestPipeline;
    let watcher: { close(): void } | undefined;
    const outcomes: ReloadOutcome[] = [];

    before(async () => {
        fs.cpSync(functionDirectory, copy, { recursive: true, filter: (source) => !/[\\/](bin|obj)$/.test(source) });
        pipeline = await startTestPipeline({ [`${PROJECT}:functionRuntime`]: "managed" }, undefined, { projectDirectory: copy });
        watcher = watchFunction(pipeline, copy, (_line, outcome) => {
            if (outcome) outcomes.push(outcome);
        });
    });

    after(async () => {
        watcher?.close();
        await pipeline?.stop();
        fs.rmSync(path.dirname(path.dirname(copy)), { recursive: true, force: true });
    });

    /** Waits for the next reload's outcome after `edit`. */
    async function change(edit: () => void): Promise<ReloadOutcome> {
        const before = outcomes.length;
        edit();
        await waitUntil("the change is built and judged", () => outcomes.length > before, 240_000);
        return outcomes[before]!;
    }

    /** The reason logged for an invalid order published now. */
    async function reasonOf(orderId: string): Promise<string> {
        await pipeline.publish(JSON.stringify({ orderId, userId: "U1", itemName: "Pen", quantity: 0, status: "new", timestamp: "2025-05-03T12:00:00Z" }));
        await waitUntil(`${orderId} is judged`, () => pipeline.records.some((r) => r.orderId === orderId), 60_000);
        return pipeline.records.find((r) => r.orderId === orderId)!.reason!;
    }

    it("swaps new code in while orders flow, keeps the old code through a failed build, and loses no order", async () => {
        let published = 0;
        let publishing = true;
        const publisher = (async () => {
            while (publishing) {
                await pipeline.publish(order(`W-${++published}`));
                await new Promise((r) => setTimeout(r, 150));
            }
        })();
        try {
            assert.equal(await reasonOf("BAD-0"), OLD_REASON);

            const reworded = await change(() => fs.writeFileSync(reader, fs.readFileSync(reader, "utf8").replaceAll(OLD_REASON, NEW_REASON)));
            assert.equal(reworded.kind, "swapped", JSON.stringify(reworded));
            assert.equal(await reasonOf("BAD-1"), NEW_REASON, "the next invalid order shows the new reason");

            const broken = path.join(copy, "Broken.cs");
            const failed = await change(() => fs.writeFileSync(broken, "namespace OrderProcessor; class Broken { void M() { int x = ; } }\n"));
            assert.equal(failed.kind, "build-failed");
            assert.match((failed as { message: string }).message, /error CS\d+/, "the compiler's own error");
            assert.equal(await reasonOf("BAD-2"), NEW_REASON, "the old code keeps serving");

            // Undone, the build is the code that serves (a deterministic build gives its very bytes: nothing to swap).
            const fixed = await change(() => fs.rmSync(broken));
            assert.ok(fixed.kind === "unchanged" || fixed.kind === "swapped", JSON.stringify(fixed));
            assert.equal(await reasonOf("BAD-3"), NEW_REASON);

            const back = await change(() => fs.writeFileSync(reader, fs.readFileSync(reader, "utf8").replaceAll(NEW_REASON, OLD_REASON)));
            assert.equal(back.kind, "swapped", JSON.stringify(back));
            assert.equal(await reasonOf("BAD-4"), OLD_REASON, "the second swap serves");
        } finally {
            publishing = false;
            await publisher;
        }
        assert.ok(published >= 10, `${published} orders published throughout`);
        await assertNothingLost(pipeline, "W-", published, 0);
    });
});
