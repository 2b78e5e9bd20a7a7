// The console's cost: local throughput (SNS publish to stored, 50 publishers) of npm run local's pipeline with the
// console open in headless Chromium, beside the same pipeline without it (--no-console), in alternating runs.
// Both have the proxy in front of the table that npm run local always puts there, so that only the console differs.
// The browser is started as a user's would be, a process of its own with the page's address, not driven from this
// process (a driver here would weigh on the runner's thread, which no user's browser does).
import { PublishCommand } from "@aws-sdk/client-sns";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findChromium } from "../infra/command-line";
import { physicalNames } from "../infra/naming";
import { ConsoleModel, consoleHooks } from "../local/console/model";
import { startConsole } from "../local/console/server";
import { parseFunctionLog } from "../local/function-log";
import { startLocalPipeline } from "../local/pipeline";
import { median } from "../local/statistics";

export interface ConsoleCostFigures {
    readonly orders: number;
    readonly runs: number;
    /** Medians of orders per second. */
    readonly withConsole: number;
    readonly withoutConsole: number;
    /** Which browser had the console open. */
    readonly browser: string;
    /** The browser's CPU time (every process of it) per second of the runs with the console, median: 1 is a whole core. */
    readonly browserCores: number;
}

const PUBLISHERS = 50;

const orderJson = (id: string) => JSON.stringify({ orderId: id, userId: "U1", itemName: "Laptop", quantity: 1, status: "new", timestamp: "2025-05-03T12:00:00Z" });

/** CPU seconds used so far by the processes of a process group (utime + stime in /proc/PID/stat, in clock ticks of 1/100 s on Linux). */
function groupCpuSeconds(group: number): number {
    let ticks = 0;
    for (const pid of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(pid)) continue;
        let stat: string;
        try {
            stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        } catch {
            continue; // gone since the listing
        }
        // The fields after the command (which may hold spaces and parentheses): state ppid pgrp … utime(14) stime(15).
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(fields[2]) === group) ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / 100;
}

/** One run: `orders` published by 50 publishers, timed until the last is stored. */
async function run(orders: number, withConsole: boolean, buildRoot: string, tag: string): Promise<{ ordersPerSecond: number; browser: string; browserCores?: number }> {
    let stored = 0;
    let allStored: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
        allStored = resolve;
    });
    const model = withConsole ? new ConsoleModel(physicalNames("dev")) : undefined;
    const pipeline = await startLocalPipeline({
        stack: "dev",
        sqsPort: 0,
        dynamodbPort: 0,
        buildRoot,
        tableFault: "pass",
        ...(model ? consoleHooks(model) : {}),
        onFunctionLog: (line) => {
            model?.functionLog(line);
            const entry = parseFunctionLog(line);
            if (entry?.kind === "record" && entry.outcome === "stored" && entry.orderId?.startsWith(tag) && ++stored === orders) allStored();
        },
    });
    const server = model ? await startConsole({ pipeline, model, port: 0 }) : undefined;
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "console-bench-"));
    let browser: ReturnType<typeof spawn> | undefined;
    let browserName = "none";
    try {
        if (server) {
            const executable = findChromium();
            if (!executable) throw new Error("the console's benchmark opens the console in Chromium: install Debian's chromium package (bash .ci/prerequisites.sh), or set CHROMIUM_PATH");
            browserName = `${path.basename(executable)} (headless)`;
            browser = spawn(
                executable,
                ["--headless", "--disable-gpu", `--user-data-dir=${profile}`, "--window-size=1400,1000", ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []), server.url],
                // A process group of its own: its renderers and helpers are stopped with it.
                { stdio: "ignore", detached: true },
            );
            const deadline = Date.now() + 30_000;
            while (server.pages === 0) {
                if (Date.now() > deadline || browser.exitCode !== null) throw new Error(`${executable} did not open the console within 30 s`);
                await new Promise((r) => setTimeout(r, 100));
            }
            // The page is live; what the browser does once, starting and drawing the page the first time, is over
            // within a few seconds and is not what a user who keeps the console open pays per order.
            await new Promise((r) => setTimeout(r, 3000));
        }
        const browserCpuBefore = browser ? groupCpuSeconds(browser.pid!) : 0;
        const started = performance.now();
        let next = 0;
        await Promise.all(Array.from({ length: PUBLISHERS }, async () => {
            for (let i = next++; i < orders; i = next++) {
                await pipeline.clients.sns.send(new PublishCommand({ TopicArn: pipeline.resources.topicArn, Message: orderJson(`${tag}${i}`) }));
            }
        }));
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
            done,
            new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`only ${stored} of ${orders} stored after 5 minutes`)), 300_000);
            }),
        ]).finally(() => clearTimeout(timer));
        const seconds = (performance.now() - started) / 1000;
        return {
            ordersPerSecond: orders / seconds,
            browser: browserName,
            ...(browser ? { browserCores: (groupCpuSeconds(browser.pid!) - browserCpuBefore) / seconds } : {}),
        };
    } finally {
        if (browser && browser.exitCode === null) {
            const exited = new Promise((resolve) => browser!.once("exit", resolve));
            process.kill(-browser.pid!, "SIGTERM");
            await exited;
        }
        fs.rmSync(profile, { recursive: true, force: true });
        await server?.close();
        await pipeline.stop();
    }
}

export async function measureConsoleCost(orders: number, runs: number, buildRoot: string): Promise<ConsoleCostFigures> {
    const withRates: number[] = [];
    const withoutRates: number[] = [];
    const browserCores: number[] = [];
    let browser = "none";
    for (let i = 0; i < runs; i++) {
        // Alternating which goes first, so that a machine slowing down (or warming up) weighs on both alike.
        for (const withConsole of i % 2 === 0 ? [false, true] : [true, false]) {
            const result = await run(orders, withConsole, buildRoot, `C${i}${withConsole ? "W" : "N"}-`);
            (withConsole ? withRates : withoutRates).push(result.ordersPerSecond);
            if (withConsole) browser = result.browser;
            if (result.browserCores !== undefined) browserCores.push(result.browserCores);
        }
    }
    return { orders, runs, withConsole: median(withRates), withoutConsole: median(withoutRates), browser, browserCores: median(browserCores) };
}
