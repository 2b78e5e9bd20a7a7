// The function's contract with everything that deploys or runs it, in one leaf module that imports nothing of the
// project: the runtimes and architectures it is built for, and the name of the executable Lambda's provided.al2023
// starts. The stack, its config, the packaging and the local runner import it from here.

/** Lambda's instruction set names. */
export type Architecture = "arm64" | "x86_64";

export const ARCHITECTURES: readonly Architecture[] = ["arm64", "x86_64"];

/** How the function runs on Lambda: a Native AOT `bootstrap` on provided.al2023, or the dotnet10 managed runtime. */
export type FunctionRuntime = "aot" | "managed";

export const FUNCTION_RUNTIMES: readonly FunctionRuntime[] = ["aot", "managed"];

/** The executable Lambda runs on provided.al2023 (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-provided.html). */
export const BOOTSTRAP = "bootstrap";
