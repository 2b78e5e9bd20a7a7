// Figure 1: the function's work per message, and a batch of 10, beside their floor (System.Text.Json
// alone on the same bytes), measured by BenchmarkDotNet in one run (bench/OrderProcessor.Benchmarks).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repositoryRoot } from "../infra/repository";

export interface MicroFigures {
    readonly handlerNs: number;
    readonly floorNs: number;
    readonly handlerBytes: number;
    readonly floorBytes: number;
    readonly batchOfTenNs: number;
    readonly batchOfTenBytes: number;
}

interface Report {
    Benchmarks: Array<{ Method: string; Statistics: { Median: number }; Memory: { BytesAllocatedPerOperation: number } }>;
}

export function runMicroBenchmarks(quick: boolean, artifacts: string): MicroFigures {
    fs.rmSync(artifacts, { recursive: true, force: true });
    const args = [
        "run", "--configuration", "Release", "--project", path.join(repositoryRoot, "bench", "OrderProcessor.Benchmarks"), "--",
        "--filter", "*", "--exporters", "json", "--artifacts", artifacts, "--join",
        ...(quick ? ["--job", "short"] : []),
    ];
    const run = spawnSync("dotnet", args, { cwd: repositoryRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`BenchmarkDotNet failed:\n${run.stdout}\n${run.stderr}`);
    const table = run.stdout.split("\n").filter((line) => line.startsWith("|"));
    process.stdout.write(`${table.join("\n")}\n`);

    const results = path.join(artifacts, "results");
    const benchmarks = fs
        .readdirSync(results)
        .filter((file) => file.endsWith(".json"))
        .flatMap((file) => (JSON.parse(fs.readFileSync(path.join(results, file), "utf8")) as Report).Benchmarks);
    const find = (method: string) => {
        const found = benchmarks.find((b) => b.Method === method);
        if (!found) throw new Error(`BenchmarkDotNet reported no ${method}`);
        return found;
    };
    return {
        handlerNs: find("Handler").Statistics.Median,
        floorNs: find("Floor").Statistics.Median,
        handlerBytes: find("Handler").Memory.BytesAllocatedPerOperation,
        floorBytes: find("Floor").Memory.BytesAllocatedPerOperation,
        batchOfTenNs: find("BatchOfTen").Statistics.Median,
        batchOfTenBytes: find("BatchOfTen").Memory.BytesAllocatedPerOperation,
    };
}
