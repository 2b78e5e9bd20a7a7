// npm run bench [-- --quick] [--only watch|console|differential]: every figure of docs/PERFORMANCE.md, each beside its floor measured in the
// same run, ending with one `name: value` line per figure. --quick gives the same lines in under three
// minutes (BenchmarkDotNet's short job, 2,000 orders instead of 10,000).
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { repositoryRoot } from "../infra/repository";
import { packageFunction } from "../infra/packaging";
import { SAMPLE_ORDER } from "../infra/sample-order";
import { runCommand } from "../infra/command-line";
import { loadStackSettings } from "../infra/stack-file";
import { measureColdStart } from "./cold-start";
import { costPerMillionOrders, PRICES } from "./cost";
import { runMicroBenchmarks } from "./micro";
import { measureThroughput } from "./throughput";
import { measureConsoleCost } from "./console";
import { describeDisagreement, runDifferential } from "../tests/contract/differential";
import { buildVerdictTool } from "../tests/contract/function-verdicts";
import { measureSwap } from "./watch";

/** An SNS envelope as SNS writes it into the queue (signature and URLs at their real lengths), for the SQS chunk count. */
function envelopeBytes(): number {
    return Buffer.byteLength(JSON.stringify({
        Type: "Notification",
        MessageId: "63a3f6b6-d533-4a47-aef9-fcf5cf758c76",
        TopicArn: "arn:aws:sns:us-east-1:123456789012:OrderTopic-prod",
        Message: JSON.stringify(SAMPLE_ORDER),
        Timestamp: "2025-05-03T12:00:01.000Z",
        SignatureVersion: "1",
        Signature: "x".repeat(344),
        SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
        UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:OrderTopic-prod:c7fe3a54-ab0e-4ec2-88e0-db410a0f2bee",
    }));
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, only: { type: "string" } } });
    const quick = values.quick;
    const buildRoot = path.join(repositoryRoot, ".build", "bench");
    if (values.only !== undefined && !["watch", "console", "differential"].includes(values.only)) throw new Error(`--only is "${values.only}"; allowed: watch, console, differential`);
    const settings = loadStackSettings("dev");
    const started = performance.now();
    const section = (title: string) => console.log(`\n== ${title} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.arch()}, node ${process.version}`);

    const swapRuns = quick ? 2 : 3;
    const measureWatch = async () => {
        section("6. the watch mode: a saved C# change to the first order served by the new code");
        const swaps = [await measureSwap("managed", swapRuns, buildRoot), await measureSwap("aot", swapRuns, buildRoot)];
        for (const swap of swaps) {
            console.log(
                `${swap.runtime}: ${(swap.totalMs / 1000).toFixed(1)} s (build ${(swap.buildMs / 1000).toFixed(1)} s, init ${swap.initMs.toFixed(0)} ms, ` +
                    `smoke invocation ${swap.smokeMs.toFixed(0)} ms, first order served ${swap.firstInvocationMs.toFixed(0)} ms), medians of ${swap.runs}`,
            );
        }
        return swaps;
    };
    const measureConsole = async () => {
        section("7. the console's cost: local throughput with the console open in Chromium, beside --no-console");
        const figures = await measureConsoleCost(quick ? 1_000 : 5_000, quick ? 2 : 7, buildRoot);
        console.log(
            `${figures.orders} orders per run, medians of ${figures.runs} alternating runs: with the console ${figures.withConsole.toFixed(0)} orders/s ` +
                `(${figures.browser}, using ${figures.browserCores.toFixed(3)} of a core), without ${figures.withoutConsole.toFixed(0)} orders/s, ` +
                `ratio ${(figures.withConsole / figures.withoutConsole).toFixed(2)}`,
        );
        return figures;
    };
    const measureDifferential = async () => {
        const cases = quick ? 100_000 : 1_000_000;
        section(`8. the differential: ${cases.toLocaleString("en")} generated orders, the function's reader against the published schema`);
        buildVerdictTool();
        const started = performance.now();
        const report = await runDifferential(20261206, cases);
        const seconds = (performance.now() - started) / 1000;
        console.log(
            `${report.cases} cases in ${seconds.toFixed(1)} s (${Math.round(report.cases / seconds)} cases/s: generating ${report.seconds.generate.toFixed(1)} s, ` +
                `the function's process ${report.seconds.function.toFixed(1)} s, the schema ${report.seconds.schema.toFixed(1)} s); ${report.judged} judged by both, ` +
                `${report.functionOnly} left to the function, ${report.inexact} beyond a double; ${report.disagreementCount} disagreements`,
        );
        for (const d of report.disagreements.slice(0, 10)) console.log(`  ${describeDisagreement(d)}`);
        return { cases: report.cases, casesPerSecond: report.cases / seconds, disagreements: report.disagreementCount };
    };
    if (values.only === "differential") {
        const figures = await measureDifferential();
        console.log("\nfigures:");
        console.log(`differential_cases: ${figures.cases}`);
        console.log(`differential_cases_per_second: ${round(figures.casesPerSecond)}`);
        console.log(`differential_disagreements: ${figures.disagreements}`);
        return;
    }
    if (values.only === "console") {
        const figures = await measureConsole();
        console.log("\nfigures:");
        console.log(`local_orders_per_second_console: ${round(figures.withConsole)}`);
        console.log(`local_orders_per_second_no_console: ${round(figures.withoutConsole)}`);
        console.log(`console_vs_no_console: ${round(figures.withConsole / figures.withoutConsole, 2)}`);
        console.log(`console_browser_cores: ${round(figures.browserCores, 3)}`);
        return;
    }
    if (values.only === "watch") {
        const swaps = await measureWatch();
        console.log("\nfigures:");
        for (const swap of swaps) console.log(`watch_swap_ms_${swap.runtime}: ${round(swap.totalMs)}`);
        return;
    }

    section("1. per message and per batch, beside System.Text.Json alone (BenchmarkDotNet)");
    const micro = runMicroBenchmarks(quick, path.join(buildRoot, "benchmarkdotnet"));

    section("2. cold start: process start to the first batch of 10 answered through the local Runtime API");
    const cold = await measureColdStart(quick ? 10 : 15, buildRoot);
    console.log(
        `Native AOT bootstrap: ${cold.aotMs.toFixed(0)} ms (init ${cold.initMs.toFixed(0)} ms, first batch ${cold.firstBatchMs.toFixed(0)} ms, ` +
            `second batch ${cold.secondBatchMs.toFixed(0)} ms, peak RSS ${cold.aotMaxRssMb.toFixed(1)} MB); without its SQS client: ${cold.aotWithoutSqsMs.toFixed(0)} ms; ` +
            `managed: ${cold.managedMs.toFixed(0)} ms; floor (AOT, no SDK, the same signed PutItems): ${cold.floorMs.toFixed(0)} ms ` +
            `(init ${cold.floorInitMs.toFixed(0)} ms, first batch ${cold.floorFirstBatchMs.toFixed(0)} ms); bare floor (one-attribute unsigned puts): ${cold.bareMs.toFixed(0)} ms; hello world: ${cold.helloWorldMs.toFixed(0)} ms; ` +
            `medians of ${cold.runs} interleaved runs`,
    );

    section("3. local throughput: npm run local's pipeline, beside the emulators' own ceiling");
    const orders = quick ? 2_000 : 10_000;
    const tp = await measureThroughput(orders, buildRoot);
    console.log(
        `${tp.orders} orders: ${tp.ordersPerSecond.toFixed(0)} orders/s; publish to stored p50 ${tp.p50Ms.toFixed(0)} ms, p99 ${tp.p99Ms.toFixed(0)} ms; ` +
            `ceiling ${tp.ceilingOrdersPerSecond.toFixed(0)} orders/s (dynalite PutItem ${tp.dynamoCeiling.toFixed(0)}/s, fauxqs send+receive+delete ${tp.sqsCeiling.toFixed(0)}/s)`,
    );
    console.log(`a lone order into the idle pipeline: publish to stored ${tp.idleMs.toFixed(0)} ms (median of 20)`);
    console.log(
        `${tp.invocations} invocations of ${tp.meanBatch.toFixed(1)} orders; per invocation (medians): receive ${tp.breakdown.receiveMs.toFixed(1)} ms, ` +
            `invoke ${tp.breakdown.invokeMs.toFixed(1)} ms of which the function ${tp.medianBatchMs.toFixed(1)} ms, delete ${tp.breakdown.deleteMs.toFixed(1)} ms (overlapped)`,
    );

    section("4. bundle");
    const bundle = await packageFunction(settings.functionArchitecture, { runtime: settings.functionRuntime, outputRoot: buildRoot });
    const managedBundle = await packageFunction(settings.functionArchitecture, { runtime: "managed", outputRoot: buildRoot });
    console.log(
        `${settings.functionArchitecture} bundles (the dev stack's): ${settings.functionRuntime} ${bundle.zipBytes} bytes zipped; ` +
            `managed ${managedBundle.zipBytes} bytes, ReadyToRun ${managedBundle.readyToRun ? "yes" : "no (the feed lacks the runtime pack)"}`,
    );

    section(`5. cost per million orders on AWS (${PRICES.region} prices of ${PRICES.date})`);
    const inputs = {
        architecture: settings.functionArchitecture,
        memoryMb: settings.functionMemoryMb,
        ordersPerBatch: Math.min(settings.batchSize, tp.meanBatch),
        batchMs: tp.medianBatchMs,
        logBytesPerOrder: tp.logBytesPerOrder,
        messageBytes: envelopeBytes(),
    };
    const cost = costPerMillionOrders(inputs);
    console.log(`inputs: ${JSON.stringify({ ...inputs, ordersPerBatch: round(inputs.ordersPerBatch, 2), logBytesPerOrder: round(inputs.logBytesPerOrder) })}`);
    console.log(Object.entries(cost).map(([k, v]) => `${k} $${v.toFixed(3)}`).join(", "));
    for (const [what, change] of [
        ["batch size 1", { ordersPerBatch: 1 }],
        ["x86_64", { architecture: "x86_64" as const }],
        ["memory 1024 MB (same duration)", { memoryMb: 1024 }],
        ["memory 128 MB (same duration)", { memoryMb: 128 }],
    ] as const) {
        const variant = costPerMillionOrders({ ...inputs, ...change });
        console.log(`  with ${what}: $${variant.total.toFixed(3)} (${variant.total >= cost.total ? "+" : ""}${(((variant.total - cost.total) / cost.total) * 100).toFixed(0)} %)`);
    }

    const swaps = await measureWatch();
    const consoleCost = await measureConsole();
    const differential = await measureDifferential();

    console.log("\nfigures:");
    const lines: Array<[string, number]> = [
        ["handler_ns_per_message", round(micro.handlerNs)],
        ["floor_ns_per_message", round(micro.floorNs)],
        ["handler_vs_floor", round(micro.handlerNs / micro.floorNs, 2)],
        ["bytes_allocated_per_message", micro.handlerBytes],
        ["floor_bytes_allocated_per_message", micro.floorBytes],
        ["cold_start_ms", round(cold.aotMs)],
        ["cold_start_ms_managed", round(cold.managedMs)],
        ["cold_start_floor_ms", round(cold.floorMs)],
        ["cold_start_vs_floor", round(cold.aotMs / cold.floorMs, 2)],
        ["cold_start_bare_ms", round(cold.bareMs)],
        ["managed_vs_aot", round(cold.managedMs / cold.aotMs, 2)],
        ["cold_start_ms_without_sqs_client", round(cold.aotWithoutSqsMs)],
        ["cold_start_max_rss_mb", round(cold.aotMaxRssMb, 1)],
        ["hello_world_ms", round(cold.helloWorldMs)],
        ["local_orders_per_second", round(tp.ordersPerSecond)],
        ["local_ceiling_orders_per_second", round(tp.ceilingOrdersPerSecond)],
        ["local_vs_ceiling", round(tp.ordersPerSecond / tp.ceilingOrdersPerSecond, 2)],
        ["local_orders_per_second_console", round(consoleCost.withConsole)],
        ["local_orders_per_second_no_console", round(consoleCost.withoutConsole)],
        ["console_vs_no_console", round(consoleCost.withConsole / consoleCost.withoutConsole, 2)],
        ["console_browser_cores", round(consoleCost.browserCores, 3)],
        ["differential_cases_per_second", round(differential.casesPerSecond)],
        ["differential_disagreements", differential.disagreements],
        ["local_p50_ms", round(tp.p50Ms)],
        ["local_p99_ms", round(tp.p99Ms)],
        ["bundle_zip_bytes", bundle.zipBytes],
        ["bundle_zip_bytes_managed", managedBundle.zipBytes],
        ["usd_per_million_orders", round(cost.total, 3)],
        ...swaps.map((swap): [string, number] => [`watch_swap_ms_${swap.runtime}`, round(swap.totalMs)]),
    ];
    for (const [name, value] of lines) console.log(`${name}: ${value}`);
}

runCommand("npm run bench", main);
