// `npm run package -- [--architecture arm64|x86_64] [--runtime aot|managed] [--no-ready-to-run] [--force]`: builds
// the function bundle the way the stack does and prints where it is, as one JSON line (read by the .NET bundle
// tests). Without --runtime it builds what the default config deploys (aot); without --architecture, this machine's.
import { parseArgs } from "node:util";
import { DEFAULTS } from "./config";
import { type Architecture, FUNCTION_RUNTIMES, type FunctionRuntime, hostArchitecture, packageFunction } from "./packaging";
import { runCommand } from "../local/command";

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            architecture: { type: "string", default: hostArchitecture() },
            runtime: { type: "string", default: DEFAULTS.functionRuntime },
            "no-ready-to-run": { type: "boolean", default: false },
            force: { type: "boolean", default: false },
            "output-root": { type: "string" },
        },
    });
    const architecture = values.architecture;
    if (architecture !== "arm64" && architecture !== "x86_64") {
        throw new Error(`--architecture is "${architecture}"; allowed: arm64, x86_64`);
    }
    if (!(FUNCTION_RUNTIMES as readonly string[]).includes(values.runtime)) {
        throw new Error(`--runtime is "${values.runtime}"; allowed: ${FUNCTION_RUNTIMES.join(", ")}`);
    }
    const bundle = await packageFunction(architecture as Architecture, {
        runtime: values.runtime as FunctionRuntime,
        readyToRun: !values["no-ready-to-run"],
        force: values.force,
        outputRoot: values["output-root"],
    });
    process.stdout.write(`${JSON.stringify(bundle)}\n`);
}

runCommand("npm run package", main);
