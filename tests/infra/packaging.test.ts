// Packaging: same source, same bytes; an unchanged tree is not published again; a build failure stops with the
// compiler's message; a missing native tool stops with the packages to install. The Native AOT bundle's own checks
// (ELF, glibc, libraries, run bit, reproducibility) are in aot-bundle.test.ts.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { functionDirectory, repositoryRoot } from "../../infra/repository";
import { nativeToolchainProblem, packageFunction } from "../../infra/packaging";
import { zipEntries } from "./zip";

function entryNames(zipPath: string): string[] {
    return zipEntries(zipPath).map((entry) => entry.name);
}

describe("function packaging", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "order-pipeline-packaging-"));
    process.once("exit", () => fs.rmSync(root, { recursive: true, force: true }));

    it("the managed bundle of an unchanged tree has the same archive hash, even when it is recompiled", async () => {
        const first = await packageFunction("x86_64", { runtime: "managed", outputRoot: root });
        // Touching a source file (new mtime, same bytes) and forcing a publish makes MSBuild compile and ReadyToRun-compile again.
        const source = path.join(functionDirectory, "Function.cs");
        const now = new Date();
        fs.utimesSync(source, now, now);
        const second = await packageFunction("x86_64", { runtime: "managed", outputRoot: root, force: true });

        assert.equal(second.reused, false);
        assert.equal(second.sha256, first.sha256);
        assert.equal(second.zipBytes, first.zipBytes);
        assert.ok(first.zipBytes > 100_000, `the bundle is only ${first.zipBytes} bytes`);
    });

    it("the managed archive holds the assembly, its dependencies and runtime config, in sorted order, and no apphost", async () => {
        const bundle = await packageFunction("x86_64", { runtime: "managed", outputRoot: root });
        const names = entryNames(bundle.zipPath);
        assert.deepEqual(names, [...names].sort());
        for (const required of ["OrderProcessor.dll", "OrderProcessor.deps.json", "OrderProcessor.runtimeconfig.json", "AWSSDK.DynamoDBv2.dll", "AWSSDK.SQS.dll", "AWSSDK.Core.dll"]) {
            assert.ok(names.includes(required), `${required} is not in the bundle`);
        }
        assert.ok(!names.includes("OrderProcessor") && !names.includes("bootstrap"), "no executable in the managed bundle");
    });

    it("an unchanged tree is not published again, and a changed source file is", async () => {
        // Inside the repository, so that Directory.Build.props applies to the copy as to the original.
        const project = path.join(repositoryRoot, ".build", "copy-of-function");
        fs.rmSync(project, { recursive: true, force: true });
        fs.cpSync(functionDirectory, project, { recursive: true, filter: (src) => !/[\\/](bin|obj)$/.test(src) });
        const out = path.join(root, "rebuild");
        const first = await packageFunction("x86_64", { runtime: "managed", projectDirectory: project, outputRoot: out });
        const unchanged = await packageFunction("x86_64", { runtime: "managed", projectDirectory: project, outputRoot: out });
        fs.appendFileSync(path.join(project, "Function.cs"), "\n// a change\n");
        const changed = await packageFunction("x86_64", { runtime: "managed", projectDirectory: project, outputRoot: out });

        fs.rmSync(project, { recursive: true, force: true });
        assert.deepEqual([first.reused, unchanged.reused, changed.reused], [false, true, false]);
        assert.equal(unchanged.sha256, first.sha256);
    });

    it("a build failure stops with the compiler's message", async () => {
        const broken = path.join(repositoryRoot, ".build", "broken-function");
        fs.rmSync(broken, { recursive: true, force: true });
        fs.cpSync(functionDirectory, broken, { recursive: true, filter: (src) => !/[\\/](bin|obj)$/.test(src) });
        fs.writeFileSync(path.join(broken, "Broken.cs"), "namespace OrderProcessor; public class Broken { int x = ; }\n");
        try {
            await assert.rejects(packageFunction("x86_64", { runtime: "managed", projectDirectory: broken, readyToRun: false, outputRoot: path.join(broken, "out") }), (error: Error) => {
                assert.match(error.message, /^dotnet publish of .*broken-function failed:/);
                assert.match(error.message, /Broken\.cs\(1,\d+\): error CS1525/);
                return true;
            });
        } finally {
            fs.rmSync(broken, { recursive: true, force: true });
        }
    });

    it("a missing native tool stops the AOT build with the packages to install and the managed alternative", () => {
        if (process.platform !== "linux" || process.arch !== "x64") return;
        const problem = nativeToolchainProblem("arm64", (tool) => tool !== "ld.lld" && tool !== "aarch64-linux-gnu-gcc");

        assert.equal(
            problem?.split(". ")[0],
            "Native AOT for linux-arm64 on this x86_64 machine needs ld.lld, aarch64-linux-gnu-gcc, which are not installed",
        );
        assert.match(problem!, /sudo apt-get install clang lld gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross\./);
        assert.match(problem!, /pulumi config set order-pipeline:functionRuntime managed/);
        assert.match(problem!, /npm run local -- --set functionRuntime=managed/);
        assert.equal(nativeToolchainProblem("x86_64", () => true), undefined, "nothing missing: no problem");
    });
});
