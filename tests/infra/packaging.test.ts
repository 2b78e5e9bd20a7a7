// Packaging: same source, same bytes; a build failure stops with the compiler's message.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { functionDirectory, repositoryRoot } from "../../infra/function-definition";
import { packageFunction } from "../../infra/packaging";

describe("function packaging", () => {
    it("an unchanged tree packages to the same archive hash, even when it is recompiled", async () => {
        const first = await packageFunction("x86_64");
        // Touching a source file (new mtime, same bytes) makes MSBuild compile and ReadyToRun-compile again.
        const source = path.join(functionDirectory, "Function.cs");
        const now = new Date();
        fs.utimesSync(source, now, now);
        const second = await packageFunction("x86_64");

        assert.equal(second.sha256, first.sha256);
        assert.equal(second.zipBytes, first.zipBytes);
        assert.ok(first.zipBytes > 100_000, `the bundle is only ${first.zipBytes} bytes`);
    });

    it("the archive holds the assembly, its dependencies and runtime config, in sorted order", async () => {
        const bundle = await packageFunction("x86_64");
        const zip = fs.readFileSync(bundle.zipPath);
        // Central directory entries: signature 0x02014b50; the name follows the 46-byte header.
        const names: string[] = [];
        for (let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
            const length = zip.readUInt16LE(at + 28);
            names.push(zip.subarray(at + 46, at + 46 + length).toString("utf8"));
        }
        assert.deepEqual(names, [...names].sort());
        for (const required of ["OrderProcessor.dll", "OrderProcessor.deps.json", "OrderProcessor.runtimeconfig.json", "AWSSDK.DynamoDBv2.dll", "AWSSDK.Core.dll"]) {
            assert.ok(names.includes(required), `${required} is not in the bundle`);
        }
    });

    it("a build failure stops with the compiler's message", async () => {
        const broken = path.join(repositoryRoot, ".build", "broken-function");
        fs.rmSync(broken, { recursive: true, force: true });
        fs.cpSync(functionDirectory, broken, { recursive: true, filter: (src) => !/[\\/](bin|obj)$/.test(src) });
        fs.writeFileSync(path.join(broken, "Broken.cs"), "namespace OrderProcessor; public class Broken { int x = ; }\n");
        try {
            await assert.rejects(packageFunction("x86_64", { projectDirectory: broken, readyToRun: false, outputRoot: path.join(broken, "out") }), (error: Error) => {
                assert.match(error.message, /^dotnet publish of .*broken-function failed:/);
                assert.match(error.message, /Broken\.cs\(1,\d+\): error CS1525/);
                return true;
            });
        } finally {
            fs.rmSync(broken, { recursive: true, force: true });
        }
    });
});
