// The watch mode's figure: from saving a C# file to the first invocation served by the new code, for each runtime,
// with what each part takes: the build (dotnet publish, Native AOT or managed), the new environment's init, its smoke
// invocation, and the first order it serves. A copy of the function inside the repository is edited (the priming
// sample's item name), so that the repository's sources are never touched.
import * as fs from "node:fs";
import { PublishCommand } from "@aws-sdk/client-sns";
import * as path from "node:path";
import { PROJECT } from "../infra/config";
import type { FunctionRuntime } from "../infra/function-contract";
import { functionDirectory } from "../infra/repository";
import { parseFunctionLog } from "../local/function-log";
import { type ReloadOutcome, startLocalPipeline } from "../local/pipeline";
import { median } from "../local/statistics";
import { watchFunction } from "../local/watch";

export interface SwapFigures {
    readonly runtime: FunctionRuntime;
    readonly runs: number;
    /** Medians: save to the first order served by the new code, and its parts. */
    readonly totalMs: number;
    readonly buildMs: number;
    readonly initMs: number;
    readonly smokeMs: number;
    readonly firstInvocationMs: number;
}

export async function measureSwap(runtime: FunctionRuntime, runs: number, buildRoot: string): Promise<SwapFigures> {
    const copy = path.join(buildRoot, `watch-${runtime}`, "functions", "OrderProcessor");
    fs.rmSync(path.dirname(path.dirname(copy)), { recursive: true, force: true });
    fs.cpSync(functionDirectory, copy, { recursive: true, filter: (source) => !/[\\/](bin|obj)$/.test(source) });
    const stored = new Map<string, () => void>();
    const pipeline = await startLocalPipeline({
        stack: "dev",
        overrides: { [`${PROJECT}:functionRuntime`]: runtime },
        sqsPort: 0,
        dynamodbPort: 0,
        buildRoot: path.join(buildRoot, `watch-${runtime}-build`),
        projectDirectory: copy,
        onFunctionLog: (line) => {
            const entry = parseFunctionLog(line);
            if (entry?.kind === "record" && entry.orderId) stored.get(entry.orderId)?.();
        },
    });
    const outcomes: Array<(outcome: ReloadOutcome) => void> = [];
    const watcher = watchFunction(pipeline, copy, (_line, outcome) => {
        if (outcome) outcomes.shift()?.(outcome);
    });
    const totals: number[] = [];
    const builds: number[] = [];
    const inits: number[] = [];
    const smokes: number[] = [];
    const firsts: number[] = [];
    try {
        const file = path.join(copy, "Function.cs");
        for (let run = 1; run <= runs; run++) {
            const swapped = new Promise<ReloadOutcome>((resolve) => outcomes.push(resolve));
            const saved = performance.now();
            // A change the build cannot optimise away (a comment would give the same bytes): the priming sample's item name.
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/\\"itemName\\":\\"Priming[0-9]*\\"/, `\\"itemName\\":\\"Priming${run}\\"`));
            const outcome = await swapped;
            if (outcome.kind !== "swapped") throw new Error(`run ${run}: ${JSON.stringify(outcome)}`);
            const swappedAt = performance.now();
            const orderId = `SWAP-${runtime}-${run}`;
            const served = new Promise<void>((resolve) => stored.set(orderId, resolve));
            await pipeline.clients.sns.send(new PublishCommand({
                TopicArn: pipeline.resources.topicArn,
                Message: JSON.stringify({ orderId, userId: "U1", itemName: "Pen", quantity: 1, status: "new", timestamp: "2025-05-03T12:00:00Z" }),
            }));
            await served;
            const done = performance.now();
            totals.push(done - saved);
            builds.push(outcome.buildMs);
            inits.push(outcome.initMs);
            smokes.push(outcome.smokeMs);
            firsts.push(done - swappedAt);
        }
    } finally {
        watcher.close();
        await pipeline.stop();
        fs.rmSync(path.dirname(path.dirname(copy)), { recursive: true, force: true });
    }
    return {
        runtime,
        runs,
        totalMs: median(totals),
        buildMs: median(builds),
        initMs: median(inits),
        smokeMs: median(smokes),
        firstInvocationMs: median(firsts),
    };
}
