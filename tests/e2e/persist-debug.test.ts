// npm run local -- --persist and --debug: the table's items outlive a restart (the queues' messages do not: fauxqs
// keeps them in memory); --debug runs one managed execution environment, with no time budget for a debugger's pauses.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { PROJECT } from "../../infra/config";
import { FUNCTION_VARIABLES } from "../../infra/function-contract";
import { persistDirectory } from "../../local/pipeline";
import { order, startTestPipeline, testBuildRoot, waitUntil } from "./harness";

describe("--persist", () => {
    it("keeps the table's items from one run to the next", async () => {
        fs.rmSync(persistDirectory("dev", testBuildRoot()), { recursive: true, force: true });
        const first = await startTestPipeline({}, undefined, { persist: true });
        try {
            await first.publish(order("KEPT-1"));
            await waitUntil("KEPT-1 is stored", async () => (await first.scanItems()).some((item) => item.orderId?.S === "KEPT-1"));
        } finally {
            await first.stop();
        }
        assert.ok(fs.readdirSync(persistDirectory("dev", testBuildRoot())).length > 0, "the LevelDB folder holds the table");

        const second = await startTestPipeline({}, undefined, { persist: true });
        try {
            const items = await second.scanItems();
            assert.deepEqual(items.filter((item) => item.orderId?.S === "KEPT-1").map((item) => item.status?.S), ["new"], "the item is back");
        } finally {
            await second.stop();
        }

        const fresh = await startTestPipeline({});
        try {
            assert.deepEqual(await fresh.scanItems(), [], "without --persist the table starts empty");
        } finally {
            await fresh.stop();
        }
    });
});

describe("--debug", () => {
    it("runs one managed execution environment, without the function's time budget", async () => {
        const pipeline = await startTestPipeline({ [`${PROJECT}:functionRuntime`]: "managed" }, undefined, { debug: true });
        try {
            for (let i = 0; i < 6; i++) await pipeline.publish(order(`DEBUG-${i}`));
            await waitUntil("every order is stored", async () => (await pipeline.scanItems()).filter((item) => item.orderId?.S?.startsWith("DEBUG-")).length === 6);
            assert.equal(pipeline.environments.current.length, 1, "one environment, whatever maximumConcurrency says");
            const [pid] = pipeline.environments.pids;
            const environment = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
            assert.ok(environment.some((v) => v.startsWith("TABLE_NAME=")), "the function's variables are there");
            assert.equal(environment.some((v) => v.startsWith(`${FUNCTION_VARIABLES.functionTimeout}=`)), false, "no time budget");
            assert.ok(environment.some((v) => v === "AWS_EXECUTION_ENV=AWS_Lambda_dotnet10"), "the managed runtime");
        } finally {
            await pipeline.stop();
        }
    });
});
