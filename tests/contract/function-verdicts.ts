// The function's verdicts on many SQS bodies from one process: tests/OrderVerdicts (MessageBodyParser.Parse, the
// function's own entry for a body), built once into .build/verdicts, fed one JSON string per line.
import { spawn } from "node:child_process";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { dotnet } from "../../infra/packaging";
import { repositoryRoot } from "../../infra/repository";

export interface Verdict {
    readonly valid: boolean;
    readonly orderId?: string;
    readonly reason?: string;
}

const OUTPUT = path.join(repositoryRoot, ".build", "verdicts");

/** Builds the verdict tool (incrementally: an unchanged tree builds in seconds). */
export function buildVerdictTool(): void {
    const result = dotnet(["build", path.join(repositoryRoot, "tests", "OrderVerdicts", "OrderVerdicts.csproj"), "--configuration", "Release", "--output", OUTPUT, "--nologo", "--verbosity", "quiet"]);
    if (!result.ok) throw new Error(`dotnet build of tests/OrderVerdicts failed:\n${result.output}`);
}

/** The function's verdict on each body, in order, from one process. */
export async function functionVerdicts(bodies: readonly string[]): Promise<Verdict[]> {
    const child = spawn("dotnet", [path.join(OUTPUT, "OrderVerdicts.dll")], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve, reject) => {
        child.once("error", reject);
        child.once("close", resolve);
    });
    // A tool that ends early is reported with its own words (below), not as a broken pipe.
    child.stdin.on("error", () => undefined);
    exited.catch(() => undefined);
    const verdicts: Verdict[] = [];
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    const reading = (async () => {
        for await (const line of lines) verdicts.push(JSON.parse(line) as Verdict);
    })();
    reading.catch(() => undefined);
    const ended = exited.then(() => undefined, () => undefined);
    // Written as the pipe drains, so that neither side waits on a full pipe.
    for (const body of bodies) {
        if (child.exitCode !== null || child.stdin.destroyed) break;
        if (!child.stdin.write(`${JSON.stringify(body)}\n`)) await Promise.race([new Promise((resolve) => child.stdin.once("drain", resolve)), ended]);
    }
    child.stdin.end();
    const [code] = await Promise.all([exited, reading]);
    if (code !== 0) throw new Error(`tests/OrderVerdicts exited with ${code}: ${stderr.trim()}`);
    if (verdicts.length !== bodies.length) throw new Error(`tests/OrderVerdicts answered ${verdicts.length} of ${bodies.length} bodies`);
    return verdicts;
}
