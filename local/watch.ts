// npm run local -- --watch: edit the function while the pipeline runs. A change to the function's sources (C#, project
// and JSON files) rebuilds it and swaps it in through the pipeline's reload (pipeline.ts): new code serves only after
// its init and a smoke invocation succeeded, the old environments finish their batches, and a failed build or init
// keeps the old code serving. The emulators, their queues and the table are untouched.
import * as fs from "node:fs";
import * as path from "node:path";
import type { LocalPipeline, ReloadOutcome } from "./pipeline";

/** What a change to one of these files can change in the build. */
const SOURCES = /\.(cs|csproj|props|targets|json)$/;

/** How long to wait for a burst of saves (an editor writes a file, a formatter rewrites it) before building. */
const SETTLE_MS = 300;

/** A reload's outcome as a line for the terminal. */
export function describeReload(outcome: ReloadOutcome): string {
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    switch (outcome.kind) {
        case "swapped":
            return `new code serves from now on (build ${s(outcome.buildMs)}, init ${s(outcome.initMs)}, smoke invocation ${s(outcome.smokeMs)}); the old environments finish their batches and stop`;
        case "unchanged":
            return `no change to build (${s(outcome.buildMs)}); the same code serves`;
        case "build-failed":
            return `the build failed; the old code keeps serving:\n${outcome.message}`;
        case "init-failed":
            return `the new code failed its init; the old code keeps serving: ${outcome.message}`;
        case "smoke-failed":
            return `the new code failed its smoke invocation; the old code keeps serving: ${outcome.message}`;
    }
}

/** Watches `projectDirectory` and reloads the pipeline's function on each settled change; `report` says what happened. */
export function watchFunction(
    pipeline: Pick<LocalPipeline, "reload">,
    projectDirectory: string,
    report: (line: string, outcome?: ReloadOutcome) => void,
): { close(): void } {
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    let closed = false;
    let pending: string[] = [];
    const run = async () => {
        if (running || closed) return;
        running = true;
        try {
            while (pending.length > 0 && !closed) {
                const changed = [...new Set(pending)];
                pending = [];
                report(`${changed.slice(0, 3).join(", ")}${changed.length > 3 ? ` and ${changed.length - 3} more` : ""} changed: building`);
                let outcome: ReloadOutcome;
                try {
                    outcome = await pipeline.reload();
                } catch (error) {
                    outcome = { kind: "build-failed", message: error instanceof Error ? error.message : String(error) };
                }
                report(describeReload(outcome), outcome);
            }
        } finally {
            running = false;
        }
    };
    const onChange = (_event: string, file: string | Buffer | null) => {
        if (!file) return;
        const relative = file.toString();
        if (relative.split(path.sep).some((part) => part === "bin" || part === "obj") || !SOURCES.test(relative)) return;
        pending.push(relative);
        clearTimeout(timer);
        timer = setTimeout(() => void run(), SETTLE_MS);
    };
    // Node's recursive watch on Linux can fail when a build creates and deletes files in obj/ quickly (ENOENT):
    // it is said, and the folder watched again.
    let watcher: fs.FSWatcher | undefined;
    const arm = () => {
        watcher = fs.watch(projectDirectory, { recursive: true }, onChange);
        watcher.on("error", (error) => {
            watcher?.close();
            if (closed) return;
            report(`watching ${projectDirectory} failed (${error.message}); watching it again`);
            setTimeout(() => {
                if (!closed) arm();
            }, 500);
        });
    };
    arm();
    return {
        close: () => {
            closed = true;
            clearTimeout(timer);
            watcher?.close();
        },
    };
}
