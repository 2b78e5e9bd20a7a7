// `npm run package -- [--stack NAME | --architecture arm64|x86_64 --runtime aot|managed] [--no-ready-to-run] [--force]`:
// builds the function bundle the way the stack does, checks it as packaging always does (a Native AOT bootstrap that
// provided.al2023 could not start is refused: bootstrap-check.ts), and prints where it is, as one JSON line (read by
// the .NET bundle tests). --stack builds what that stack deploys (its functionArchitecture and functionRuntime), as
// the deploy workflow does before `pulumi up`; without it, --runtime defaults to aot and --architecture to this machine's.
import { parseArgs } from "node:util";
import { DEFAULTS } from "./config";
import { type Architecture, ARCHITECTURES, FUNCTION_RUNTIMES, type FunctionRuntime } from "./function-contract";
import { hostArchitecture, packageFunction } from "./packaging";
import { loadStackSettings } from "./stack-file";
import { runCommand } from "./command-line";

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string" },
            architecture: { type: "string" },
            runtime: { type: "string" },
            "no-ready-to-run": { type: "boolean", default: false },
            force: { type: "boolean", default: false },
            "output-root": { type: "string" },
        },
    });
    if (values.stack !== undefined && (values.architecture !== undefined || values.runtime !== undefined)) {
        throw new Error("--stack takes the architecture and runtime from the stack's config: give --stack, or --architecture and --runtime");
    }
    const settings = values.stack !== undefined ? loadStackSettings(values.stack) : undefined;
    const architecture = settings?.functionArchitecture ?? values.architecture ?? hostArchitecture();
    const runtime = settings?.functionRuntime ?? values.runtime ?? DEFAULTS.functionRuntime;
    if (!(ARCHITECTURES as readonly string[]).includes(architecture)) {
        throw new Error(`--architecture is "${architecture}"; allowed: ${ARCHITECTURES.join(", ")}`);
    }
    if (!(FUNCTION_RUNTIMES as readonly string[]).includes(runtime)) {
        throw new Error(`--runtime is "${runtime}"; allowed: ${FUNCTION_RUNTIMES.join(", ")}`);
    }
    const bundle = await packageFunction(architecture as Architecture, {
        runtime: runtime as FunctionRuntime,
        readyToRun: !values["no-ready-to-run"],
        force: values.force,
        outputRoot: values["output-root"],
    });
    process.stdout.write(`${JSON.stringify(bundle)}\n`);
}

runCommand("npm run package", main);
