// Builds the function bundle the stack deploys: `dotnet publish` of functions/OrderProcessor, then a zip whose
// bytes depend only on the published files (sorted entries, fixed timestamps and modes), so an unchanged tree
// gives the same archive and `pulumi preview` shows no change to the function.
//
// Two runtimes (the stack setting functionRuntime):
// - aot (default): a Native AOT executable, zipped alone as `bootstrap` (mode 0755) for provided.al2023;
// - managed: the framework-dependent assembly and its dependencies for dotnet10, ReadyToRun where possible.
// A publish is skipped when nothing it reads has changed since the last one (the inner loop of npm run local).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yazl from "yazl";
import { assertBootstrapRuns } from "./bootstrap-check";
import { type Architecture, BOOTSTRAP, type FunctionRuntime } from "./function-contract";
import { functionDirectory, repositoryRoot } from "./repository";

export { type Architecture, BOOTSTRAP, FUNCTION_RUNTIMES, type FunctionRuntime } from "./function-contract";

export interface FunctionBundle {
    /** The files that are zipped: `bootstrap` alone for aot, the published assemblies for managed. */
    readonly directory: string;
    /** The deterministic zip of `directory`. */
    readonly zipPath: string;
    /** Base64 SHA-256 of the zip, the form Lambda's `sourceCodeHash` takes. */
    readonly sha256: string;
    readonly zipBytes: number;
    readonly runtime: FunctionRuntime;
    readonly architecture: Architecture;
    /** managed: false when the feed lacks the target's runtime pack and the bundle was published portable. aot: always false. */
    readonly readyToRun: boolean;
    /** True when nothing had changed and the previous publish was reused. */
    readonly reused: boolean;
}

export interface PackageOptions {
    /** Default aot, what the stack deploys by default. */
    readonly runtime?: FunctionRuntime;
    /** Where bundles go. Default: .build/ in the repository. */
    readonly outputRoot?: string;
    /** managed only: try ReadyToRun (ahead-of-time code for faster cold starts). Default true. */
    readonly readyToRun?: boolean;
    /** Publish even when nothing has changed (the determinism test). Default false. */
    readonly force?: boolean;
    /** The project to publish. Default functions/OrderProcessor. */
    readonly projectDirectory?: string;
}

/** The function's assembly: the name of its native executable and of its managed dll. */
const FUNCTION_ASSEMBLY = "OrderProcessor";

/** Same instant for every zip entry: the earliest a zip can store. */
const ZIP_EPOCH = new Date(1980, 0, 1, 0, 0, 0);

/** The .NET runtime identifier for a Lambda architecture. */
export function runtimeIdentifier(architecture: Architecture): string {
    return architecture === "arm64" ? "linux-arm64" : "linux-x64";
}

/** The architecture of this machine, so what runs here is built for it (the stack builds for its configured one). */
export function hostArchitecture(): Architecture {
    return process.arch === "arm64" ? "arm64" : "x86_64";
}

/** Publishes (unless nothing changed) and zips the function for `architecture` and `options.runtime`. */
export async function packageFunction(architecture: Architecture, options: PackageOptions = {}): Promise<FunctionBundle> {
    const runtime = options.runtime ?? "aot";
    const outputRoot = options.outputRoot ?? path.join(repositoryRoot, ".build");
    const wantReadyToRun = runtime === "managed" && (options.readyToRun ?? true);
    const directory = path.join(outputRoot, `${FUNCTION_ASSEMBLY}-${runtime}-${architecture}${runtime === "managed" && !wantReadyToRun ? "-portable" : ""}`);
    const zipPath = `${directory}.zip`;
    const project = options.projectDirectory ?? functionDirectory;

    const build = buildOnce(
        {
            what: `${runtime}-${architecture}-${wantReadyToRun}`,
            directories: [project],
            stamp: `${directory}.inputs`,
            force: options.force,
            outputs: [zipPath, path.join(directory, runtime === "aot" ? BOOTSTRAP : `${FUNCTION_ASSEMBLY}.dll`)],
        },
        async () => {
            let readyToRun = false;
            if (runtime === "aot") {
                publishNative(project, directory, architecture);
                // Before the zip: only what provided.al2023 can start is packaged (bootstrap-check.ts).
                assertBootstrapRuns(path.join(directory, BOOTSTRAP), architecture);
            } else {
                readyToRun = publishDotnet(project, directory, architecture, wantReadyToRun).readyToRun;
            }
            await writeDeterministicZip(directory, zipPath);
            return { readyToRun };
        },
    );
    const { result, reused } = await build;
    // A reused build is checked again: the check may have changed, or the file been replaced since.
    if (reused && runtime === "aot") assertBootstrapRuns(path.join(directory, BOOTSTRAP), architecture);
    const bytes = fs.readFileSync(zipPath);
    return {
        directory,
        zipPath,
        sha256: createHash("sha256").update(bytes).digest("base64"),
        zipBytes: bytes.length,
        runtime,
        architecture,
        readyToRun: result.readyToRun,
        reused,
    };
}

interface BuildInputs {
    /** What else the build depends on: runtime, architecture, flags. */
    readonly what: string;
    /** Source folders whose files (but bin/ and obj/) the build reads. */
    readonly directories: readonly string[];
    /** Where the fingerprint of the last build's inputs is kept. */
    readonly stamp: string;
    /** Files that must exist for the last build to be reused. */
    readonly outputs: readonly string[];
    readonly force?: boolean;
}

/**
 * Runs `build` unless its inputs (the source folders, the repository's shared build settings, the SDK version
 * and `what`) have the fingerprint recorded by the last build and its outputs exist. A restart of npm run local
 * on an unchanged tree then starts in a second or two instead of waiting for two no-op publishes.
 */
export async function buildOnce<T>(inputs: BuildInputs, build: () => Promise<T> | T): Promise<{ result: T; reused: boolean }> {
    const fingerprint = inputsFingerprint(inputs);
    if (!inputs.force && fs.existsSync(inputs.stamp) && inputs.outputs.every((file) => fs.existsSync(file))) {
        const last = JSON.parse(fs.readFileSync(inputs.stamp, "utf8")) as { fingerprint: string; result: T };
        if (last.fingerprint === fingerprint) return { result: last.result, reused: true };
    }
    fs.rmSync(inputs.stamp, { force: true });
    const result = await build();
    fs.writeFileSync(inputs.stamp, JSON.stringify({ fingerprint, result }));
    return { result, reused: false };
}

function inputsFingerprint(inputs: BuildInputs): string {
    const hash = createHash("sha256").update(inputs.what).update("\0").update(dotnetVersion());
    const files = [
        ...["Directory.Build.props", "Directory.Packages.props", "global.json", "nuget.config", "NuGet.Config"].map((f) => path.join(repositoryRoot, f)),
        ...inputs.directories.flatMap((dir) => listFiles(dir, "", ["bin", "obj"]).map((f) => path.join(dir, f))),
    ];
    for (const file of files) {
        if (!fs.existsSync(file)) continue;
        hash.update(path.relative(repositoryRoot, file)).update("\0").update(fs.readFileSync(file)).update("\0");
    }
    return hash.digest("hex");
}

let sdkVersion: string | undefined;
function dotnetVersion(): string {
    sdkVersion ??= spawnSync("dotnet", ["--version"], { encoding: "utf8" }).stdout?.trim() ?? "";
    return sdkVersion;
}

/**
 * Native AOT publish for `architecture`, with clang and lld on every machine so that the same tree links to the
 * same bytes wherever it is built; `directory` then holds the executable alone, as `bootstrap`. The project's
 * folder is named after its assembly. Fails, before running the compiler, with the packages to install when a
 * tool is missing (see nativeToolchainProblem).
 */
export function publishNative(project: string, directory: string, architecture: Architecture): void {
    const problem = nativeToolchainProblem(architecture);
    if (problem) throw new Error(problem);
    const publishDirectory = `${directory}.publish`;
    fs.rmSync(publishDirectory, { recursive: true, force: true });
    const cross = architecture !== hostArchitecture();
    const result = dotnet([
        "publish", project,
        "--configuration", "Release",
        "--runtime", runtimeIdentifier(architecture),
        "--output", publishDirectory,
        "--nologo",
        "-p:PublishAot=true",
        "-p:CppCompilerAndLinker=clang",
        "-p:LinkerFlavor=lld",
        ...(cross ? [`-p:ObjCopyName=${crossPrefix(architecture)}-objcopy`] : []),
    ]);
    if (!result.ok) throw new Error(`dotnet publish (Native AOT, ${runtimeIdentifier(architecture)}) of ${project} failed:\n${result.output}`);
    fs.rmSync(directory, { recursive: true, force: true });
    fs.mkdirSync(directory, { recursive: true });
    fs.copyFileSync(path.join(publishDirectory, path.basename(project)), path.join(directory, BOOTSTRAP));
    fs.chmodSync(path.join(directory, BOOTSTRAP), 0o755);
}

/** The GNU triplet prefix of a cross toolchain for `architecture`. */
function crossPrefix(architecture: Architecture): string {
    return architecture === "arm64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
}

/**
 * What a Native AOT build for `architecture` lacks on this machine, as a message that names the Debian/Ubuntu
 * packages to install and the managed alternative; undefined when nothing is missing. Checked up front, so a
 * missing linker never surfaces as a page of compiler output, and nothing other than the configured runtime
 * is ever built in its place.
 */
export function nativeToolchainProblem(architecture: Architecture, onPath: (tool: string) => boolean = isOnPath): string | undefined {
    if (process.platform !== "linux") {
        return (
            `Native AOT for ${runtimeIdentifier(architecture)} is built on Linux (it links against the target's glibc); this machine is ${process.platform}. ` +
            "Deploy from CI (.github/workflows/pulumi.yml builds it on ubuntu-latest), or use the managed runtime: " +
            "pulumi config set order-pipeline:functionRuntime managed (locally: npm run local -- --set functionRuntime=managed)."
        );
    }
    const cross = architecture !== hostArchitecture();
    const prefix = crossPrefix(architecture);
    const needs: Array<[tool: string, pkg: string]> = [
        ["clang", "clang"],
        ["ld.lld", "lld"],
        ...(cross
            ? ([
                  [`${prefix}-gcc`, `gcc-${prefix}`],
                  [`${prefix}-objcopy`, `binutils-${prefix}`],
              ] as Array<[string, string]>)
            : ([["objcopy", "binutils"]] as Array<[string, string]>)),
    ];
    const missing = needs.filter(([tool]) => !onPath(tool)).map(([tool]) => tool);
    const libcPackage = `libc6-dev-${architecture === "arm64" ? "arm64" : "amd64"}-cross`;
    if (cross && !fs.existsSync(`/usr/${prefix}/lib/libc.so`)) missing.push(`the ${prefix} C library (${libcPackage})`);
    if (missing.length === 0) return undefined;
    const packages = [...needs.map(([, pkg]) => pkg), ...(cross ? [libcPackage] : [])];
    return (
        `Native AOT for ${runtimeIdentifier(architecture)}${cross ? ` on this ${hostArchitecture()} machine` : ""} needs ` +
        `${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not installed. ` +
        `On Debian or Ubuntu: sudo apt-get install ${packages.join(" ")}. ` +
        "Or use the managed runtime (dotnet10, no native toolchain): pulumi config set order-pipeline:functionRuntime managed " +
        "(locally: npm run local -- --set functionRuntime=managed)."
    );
}

function isOnPath(tool: string): boolean {
    return (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, tool)));
}

/**
 * `dotnet publish` of `project` into `directory` for `architecture`, framework-dependent, ReadyToRun when asked
 * and possible: ReadyToRun needs the target's runtime pack, and where the package feed lacks it the project is
 * published portable instead (same behaviour, slower start), which is said on stderr. Throws with the compiler's
 * output when the build fails.
 */
export function publishDotnet(project: string, directory: string, architecture: Architecture, readyToRun: boolean): { readyToRun: boolean } {
    if (readyToRun) {
        const result = publishManaged(project, directory, architecture, true);
        if (result.ok) return { readyToRun: true };
        if (!/NU1101.*Microsoft\.NETCore\.App\.(Runtime|Crossgen2)/.test(result.output)) {
            throw new Error(`dotnet publish of ${project} failed:\n${result.output}`);
        }
        process.stderr.write(
            `ReadyToRun for ${runtimeIdentifier(architecture)} needs a runtime pack the package feed does not serve; ` +
                `publishing ${path.basename(project)} portable instead (same behaviour, slower start).\n`,
        );
    }
    const result = publishManaged(project, directory, architecture, false);
    if (!result.ok) throw new Error(`dotnet publish of ${project} failed:\n${result.output}`);
    return { readyToRun: false };
}

function publishManaged(project: string, directory: string, architecture: Architecture, readyToRun: boolean): { ok: boolean; output: string } {
    fs.rmSync(directory, { recursive: true, force: true });
    return dotnet([
        "publish", project,
        "--configuration", "Release",
        "--output", directory,
        "--nologo",
        "-p:PublishAot=false",
        // Lambda's managed runtime loads the assembly; an apphost executable would only add bytes.
        "-p:UseAppHost=false",
        ...(readyToRun
            ? ["--runtime", runtimeIdentifier(architecture), "--self-contained", "false", "-p:PublishReadyToRun=true"]
            : ["-p:PublishReadyToRun=false"]),
    ]);
}

/** Runs the dotnet CLI in the repository; its output and whether it succeeded. */
export function dotnet(args: string[]): { ok: boolean; output: string } {
    const run = spawnSync("dotnet", args, { cwd: repositoryRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (run.error) {
        const missing = (run.error as NodeJS.ErrnoException).code === "ENOENT";
        throw new Error(missing ? "dotnet was not found on PATH: install the .NET 10 SDK" : `dotnet: ${run.error.message}`);
    }
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}

/** Every file below `root`, as zip paths (forward slashes), in byte order; folders named in `skip` are left out. */
function listFiles(root: string, prefix = "", skip: readonly string[] = []): string[] {
    const here = path.join(root, prefix);
    if (!fs.existsSync(here)) return [];
    return fs
        .readdirSync(here, { withFileTypes: true })
        .flatMap((entry) => {
            const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
            if (entry.isDirectory()) return skip.includes(entry.name) ? [] : listFiles(root, relative, skip);
            return [relative];
        })
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The zip: entries sorted, every time ZIP_EPOCH, `bootstrap` 0755 (without its run bit Lambda cannot start it,
 * and fails before the first line of code runs) and everything else 0644, whatever the file system says.
 */
function writeDeterministicZip(directory: string, zipPath: string): Promise<void> {
    const zip = new yazl.ZipFile();
    for (const file of listFiles(directory)) {
        const mode = file === BOOTSTRAP ? 0o100755 : 0o100644;
        zip.addBuffer(fs.readFileSync(path.join(directory, file)), file, { mtime: ZIP_EPOCH, mode, compress: true });
    }
    zip.end();
    return new Promise((resolve, reject) => {
        const out = fs.createWriteStream(zipPath);
        zip.outputStream.pipe(out).on("close", () => resolve()).on("error", reject);
    });
}
