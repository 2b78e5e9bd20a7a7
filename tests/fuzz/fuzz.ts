// npm run fuzz -- [--minutes M] [--target NAME]
// Coverage-guided fuzzing of the function's byte-level entry points (tests/OrderProcessor.Fuzz/FuzzTargets.cs) with
// SharpFuzz and AFL++: the function's assembly is instrumented by SharpFuzz's command-line tool (pinned in
// .config/dotnet-tools.json), each target is fuzzed for M minutes (1 by default) from seeds made of the bad-input
// corpus, and what AFL++ keeps is copied into tests/fuzz/corpus/TARGET/, which OrderProcessor.Tests replays in CI:
// inputs that reached new paths, and any that crashed or hung a target (a bug: fix it, and the input stays as a case).
// The seeds themselves stay where they are (the corpus file, shared/events/, the Runtime API answers below). Needs
// AFL++ (Debian's afl++ package); not run in CI.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { findOnPath, runCommand } from "../../infra/command-line";
import { dotnet } from "../../infra/packaging";
import { repositoryRoot } from "../../infra/repository";

const TARGETS = ["sqs-event", "body", "order", "runtime-api"] as const;
type Target = (typeof TARGETS)[number];
const CORPUS = path.join(repositoryRoot, "tests", "fuzz", "corpus");
const WORK = path.join(repositoryRoot, ".build", "fuzz");
/** Inputs copied from a run's queue into the kept corpus, at most, per target: the smallest first. */
const KEEP_PER_RUN = 40;

interface CorpusCase {
    readonly name: string;
    readonly order?: string;
    readonly body?: string;
    readonly generate?: { readonly template: string; readonly fill: string; readonly count: number };
}

const read = (file: string) => fs.readFileSync(file, "utf8");

/** The seeds of each target: the bad-input corpus and the wire-format samples, and the Runtime API's answers. */
function seeds(): Record<Target, Buffer[]> {
    const corpus = (JSON.parse(read(path.join(repositoryRoot, "tests", "corpus", "messages.json"))) as { cases: CorpusCase[] }).cases;
    const envelope = JSON.parse(read(path.join(repositoryRoot, "..", "shared", "events", "sns-envelope-in-sqs-body.aws-docs.json"))) as Record<string, unknown>;
    const sqsEvent = read(path.join(repositoryRoot, "..", "shared", "events", "sqs-event.aws-lambda-dotnet.json"));
    const small = corpus.filter((c) => c.generate === undefined);
    const orders = small.flatMap((c) => (c.order !== undefined ? [c.order] : []));
    const bodies = [...small.map((c) => c.body ?? JSON.stringify({ ...envelope, Message: c.order })), ...orders];
    const event = JSON.parse(sqsEvent) as { Records: Array<Record<string, unknown>> };
    const events = [sqsEvent, ...bodies.slice(0, 30).map((body, i) => JSON.stringify({ Records: [{ ...event.Records[0], messageId: `m${i}`, body }] }))];
    const next = (status: string, requestId: string | undefined, deadline: string | undefined, body: string) =>
        [status, requestId ?? "", deadline ?? "", "arn:aws:lambda:us-east-1:123456789012:function:OrderProcessor-dev", "Root=1-5e9f-abc;Sampled=0", body].join("\n");
    const runtime = [
        next("200", "8476a536-e9f4-11e8-9739-2dfe598c3fcd", "1542409706888", sqsEvent),
        next("200", "", "1542409706888", "{}"),
        next("200", "id", "not a number", "{}"),
        next("200", "id", "-1", "{}"),
        next("200", "id", "99999999999999999", "{}"),
        next("500", "id", "1542409706888", "{\"errorMessage\":\"x\",\"errorType\":\"y\"}"),
        next("403", "id", "1", ""),
    ];
    const utf8 = (texts: readonly string[]) => texts.map((t) => Buffer.from(t, "utf8"));
    return { "sqs-event": utf8(events), body: utf8(bodies), order: utf8(orders), "runtime-api": utf8(runtime) };
}

/** Writes each input under its content's hash (so that the same input is kept once). */
function keep(target: Target, inputs: readonly Buffer[], origin: string): number {
    const folder = path.join(CORPUS, target);
    fs.mkdirSync(folder, { recursive: true });
    let added = 0;
    for (const input of inputs) {
        const file = path.join(folder, `${origin}-${createHash("sha256").update(input).digest("hex").slice(0, 16)}`);
        if (fs.existsSync(file)) continue;
        fs.writeFileSync(file, input);
        added++;
    }
    return added;
}

/** AFL++'s figures of a run (its fuzzer_stats file). */
function stats(output: string): Record<string, string> {
    const file = path.join(output, "default", "fuzzer_stats");
    if (!fs.existsSync(file)) return {};
    return Object.fromEntries(read(file).split("\n").filter(Boolean).map((line) => line.split(/\s*:\s*/, 2) as [string, string]));
}

/** AFL++'s inputs in a folder; `discovered` leaves out its copies of the seeds (",orig:" in their names). */
function filesIn(folder: string, discovered = false): string[] {
    return fs.existsSync(folder)
        ? fs.readdirSync(folder).filter((f) => f.startsWith("id:") && !(discovered && f.includes(",orig:"))).map((f) => path.join(folder, f))
        : [];
}

async function fuzz(target: Target, minutes: number, program: string, seedsOf: Buffer[]): Promise<{ line: string; ok: boolean }> {
    const input = path.join(WORK, target, "in");
    const output = path.join(WORK, target, "out");
    fs.rmSync(path.join(WORK, target), { recursive: true, force: true });
    fs.mkdirSync(input, { recursive: true });
    // AFL++ starts from the kept corpus too, so that each run goes on from where the last ones got.
    const kept = fs.existsSync(path.join(CORPUS, target)) ? fs.readdirSync(path.join(CORPUS, target)).map((f) => fs.readFileSync(path.join(CORPUS, target, f))) : [];
    [...seedsOf, ...kept].forEach((seed, i) => fs.writeFileSync(path.join(input, `seed-${i}`), seed));
    const args = ["-i", input, "-o", output, "-t", "5000", "-m", "none", "-V", String(Math.round(minutes * 60)), "--", "dotnet", program, target];
    console.log(`afl-fuzz ${args.join(" ")}`);
    const child = spawn("afl-fuzz", args, {
        stdio: ["ignore", "ignore", "inherit"],
        env: {
            ...process.env,
            // dotnet is not instrumented itself: SharpFuzz instruments the function's assembly, which reports to AFL++.
            AFL_SKIP_BIN_CHECK: "1",
            AFL_NO_UI: "1",
            AFL_SKIP_CPUFREQ: "1",
            AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES: "1",
            AFL_NO_AFFINITY: "1",
        },
    });
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    const figures = stats(output);
    const crashes = filesIn(path.join(output, "default", "crashes"));
    const hangs = filesIn(path.join(output, "default", "hangs"));
    const queue = filesIn(path.join(output, "default", "queue"), true)
        .map((file) => ({ file, size: fs.statSync(file).size }))
        .sort((a, b) => a.size - b.size)
        .slice(0, KEEP_PER_RUN)
        .map(({ file }) => fs.readFileSync(file));
    const added = keep(target, queue, "path") + keep(target, crashes.map((f) => fs.readFileSync(f)), "crash") + keep(target, hangs.map((f) => fs.readFileSync(f)), "hang");
    const line = (
        `${target}: afl-fuzz exited ${code}; ${figures.execs_done ?? "?"} executions in ${figures.run_time ?? "?"} s (${figures.execs_per_sec ?? "?"} per second), ` +
        `${figures.corpus_count ?? figures.paths_total ?? "?"} paths, ${figures.bitmap_cvg ?? "?"} of the map, ${crashes.length} crashes, ${hangs.length} hangs; ${added} inputs added to tests/fuzz/corpus/${target}/`
    );
    return { line, ok: code === 0 && crashes.length === 0 && hangs.length === 0 };
}

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { minutes: { type: "string" }, target: { type: "string" } } });
    const minutes = values.minutes === undefined ? 1 : Number(values.minutes);
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) throw new Error(`--minutes is "${values.minutes}"; allowed: a number of minutes above 0, at most 1440`);
    if (values.target !== undefined && !(TARGETS as readonly string[]).includes(values.target)) throw new Error(`--target is "${values.target}"; allowed: ${TARGETS.join(", ")}`);
    const targets = values.target === undefined ? [...TARGETS] : [values.target as Target];
    const seedsByTarget = seeds();
    if (!findOnPath("afl-fuzz")) throw new Error("afl-fuzz was not found: install AFL++ (Debian and Ubuntu: apt-get install afl++)");

    // The harness, published; then the function's assembly in it instrumented by SharpFuzz.
    const bin = path.join(WORK, "bin");
    fs.rmSync(bin, { recursive: true, force: true });
    const built = dotnet(["publish", path.join(repositoryRoot, "tests", "OrderProcessor.Fuzz", "OrderProcessor.Fuzz.csproj"), "--configuration", "Release", "--output", bin, "--nologo"]);
    if (!built.ok) throw new Error(`dotnet publish of tests/OrderProcessor.Fuzz failed:\n${built.output}`);
    const restored = dotnet(["tool", "restore"]);
    if (!restored.ok) throw new Error(`dotnet tool restore failed:\n${restored.output}`);
    const instrument = spawnSync("dotnet", ["tool", "run", "sharpfuzz", path.join(bin, "OrderProcessor.dll")], { cwd: repositoryRoot, encoding: "utf8" });
    if (instrument.status !== 0) throw new Error(`sharpfuzz could not instrument OrderProcessor.dll:\n${instrument.stdout}${instrument.stderr}`);
    const results: Array<{ line: string; ok: boolean }> = [];
    for (const target of targets) results.push(await fuzz(target, minutes, path.join(bin, "OrderProcessor.Fuzz.dll"), seedsByTarget[target]));
    console.log(`\n${results.map((r) => r.line).join("\n")}`);
    // A crash or a hang is a bug to fix (its input is kept, and the replay test now fails on it): exit 1.
    return results.every((r) => r.ok) ? 0 : 1;
}

runCommand("npm run fuzz", main);
