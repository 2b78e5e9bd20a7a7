// Builds the function bundle: `dotnet publish` of functions/OrderProcessor, then a zip whose bytes depend
// only on the published files (sorted entries, fixed timestamps and modes), so an unchanged tree gives
// the same archive and `pulumi preview` shows no change to the function.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yazl from "yazl";
import { functionDirectory, repositoryRoot } from "./function-definition";

/** Lambda's instruction set names. */
export type Architecture = "arm64" | "x86_64";

export interface FunctionBundle {
    /** The published files. */
    readonly directory: string;
    /** The deterministic zip of `directory`. */
    readonly zipPath: string;
    /** Base64 SHA-256 of the zip, the form Lambda's `sourceCodeHash` takes. */
    readonly sha256: string;
    readonly zipBytes: number;
    /** False when the feed lacks the target's runtime pack and the bundle was published portable instead. */
    readonly readyToRun: boolean;
}

export interface PackageOptions {
    /** Where bundles go. Default: .build/ in the repository. */
    readonly outputRoot?: string;
    /** Try ReadyToRun (ahead-of-time code for faster cold starts). Default true. */
    readonly readyToRun?: boolean;
    /** The project to publish. Default functions/OrderProcessor. */
    readonly projectDirectory?: string;
}

/** Same instant for every zip entry: the earliest a zip can store. */
const ZIP_EPOCH = new Date(1980, 0, 1, 0, 0, 0);

/** The .NET runtime identifier for a Lambda architecture. */
export function runtimeIdentifier(architecture: Architecture): string {
    return architecture === "arm64" ? "linux-arm64" : "linux-x64";
}

/** Publishes (see publishDotnet) and zips the function for `architecture`. */
export async function packageFunction(architecture: Architecture, options: PackageOptions = {}): Promise<FunctionBundle> {
    const outputRoot = options.outputRoot ?? path.join(repositoryRoot, ".build");
    const wantReadyToRun = options.readyToRun ?? true;
    const project = options.projectDirectory ?? functionDirectory;
    const directory = path.join(outputRoot, `OrderProcessor-${architecture}${wantReadyToRun ? "" : "-portable"}`);

    const { readyToRun } = publishDotnet(project, directory, architecture, wantReadyToRun);

    const zipPath = `${directory}.zip`;
    await writeDeterministicZip(directory, zipPath);
    const bytes = fs.readFileSync(zipPath);
    return {
        directory,
        zipPath,
        sha256: createHash("sha256").update(bytes).digest("base64"),
        zipBytes: bytes.length,
        readyToRun,
    };
}

/**
 * `dotnet publish` of `project` into `directory` for `architecture`, ReadyToRun when asked and possible:
 * ReadyToRun needs the target's runtime pack, and where the package feed lacks it the project is published
 * portable instead (same behaviour, slower start), which is said on stderr. Throws with the compiler's
 * output when the build fails.
 */
export function publishDotnet(project: string, directory: string, architecture: Architecture, readyToRun: boolean): { readyToRun: boolean } {
    if (readyToRun) {
        const result = publish(project, directory, architecture, true);
        if (result.ok) return { readyToRun: true };
        if (!/NU1101.*Microsoft\.NETCore\.App\.(Runtime|Crossgen2)/.test(result.output)) {
            throw new Error(`dotnet publish of ${project} failed:\n${result.output}`);
        }
        process.stderr.write(
            `ReadyToRun for ${runtimeIdentifier(architecture)} needs a runtime pack the package feed does not serve; ` +
                `publishing ${path.basename(project)} portable instead (same behaviour, slower start).\n`,
        );
    }
    const result = publish(project, directory, architecture, false);
    if (!result.ok) throw new Error(`dotnet publish of ${project} failed:\n${result.output}`);
    return { readyToRun: false };
}

function publish(project: string, directory: string, architecture: Architecture, readyToRun: boolean): { ok: boolean; output: string } {
    fs.rmSync(directory, { recursive: true, force: true });
    const args = [
        "publish",
        project,
        "--configuration", "Release",
        "--output", directory,
        "--nologo",
    ];
    args.push(
        ...(readyToRun
            ? ["--runtime", runtimeIdentifier(architecture), "--self-contained", "false", "-p:PublishReadyToRun=true"]
            : ["-p:PublishReadyToRun=false"]),
    );
    const run = spawnSync("dotnet", args, { cwd: repositoryRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (run.error) {
        const missing = (run.error as NodeJS.ErrnoException).code === "ENOENT";
        throw new Error(missing ? "dotnet was not found on PATH: install the .NET 10 SDK" : `dotnet publish: ${run.error.message}`);
    }
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}

/** Every file below `root`, as zip paths (forward slashes), in byte order. */
function listFiles(root: string, prefix = ""): string[] {
    return fs
        .readdirSync(path.join(root, prefix), { withFileTypes: true })
        .flatMap((entry) => {
            const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
            return entry.isDirectory() ? listFiles(root, relative) : [relative];
        })
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function writeDeterministicZip(directory: string, zipPath: string): Promise<void> {
    const zip = new yazl.ZipFile();
    for (const file of listFiles(directory)) {
        zip.addBuffer(fs.readFileSync(path.join(directory, file)), file, { mtime: ZIP_EPOCH, mode: 0o100644, compress: true });
    }
    zip.end();
    return new Promise((resolve, reject) => {
        const out = fs.createWriteStream(zipPath);
        zip.outputStream.pipe(out).on("close", () => resolve()).on("error", reject);
    });
}
