// .ci/prerequisites.sh, the one place that knows how Debian 12 and Ubuntu 24.04 differ, run (with --dry-run) against
// each distribution's own /etc/os-release and apt sources layout: what it writes and what it would install.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { repositoryRoot } from "../../infra/repository";

const SCRIPT = path.join(repositoryRoot, ".ci", "prerequisites.sh");
const roots = fs.mkdtempSync(path.join(os.tmpdir(), "order-pipeline-prerequisites-"));
after(() => fs.rmSync(roots, { recursive: true, force: true }));

/** /etc/os-release of the images the project runs on, as they ship. */
const OS_RELEASE = {
    debian12: `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n`,
    ubuntu2404: `PRETTY_NAME="Ubuntu 24.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION="24.04.3 LTS (Noble Numbat)"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=noble\n`,
    fedora: `NAME="Fedora Linux"\nVERSION_ID=41\nID=fedora\nPRETTY_NAME="Fedora Linux 41"\n`,
};

/** Ubuntu 24.04's deb822 sources as the ubuntu:24.04 image (and so the .NET 10 SDK image) ships them. */
const UBUNTU_SOURCES = `# Ubuntu sources have moved to the /etc/apt/sources.list.d/ubuntu.sources
Types: deb
URIs: http://archive.ubuntu.com/ubuntu/
Suites: noble noble-updates noble-backports
Components: main universe restricted multiverse
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg

## Ubuntu security updates. Aside from URIs and Suites,
## this should mirror your choices in the previous section.
Types: deb
URIs: http://security.ubuntu.com/ubuntu/
Suites: noble-security
Components: main universe restricted multiverse
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg
`;

const DEBIAN_SOURCES = `Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

function tree(name: string, files: Record<string, string>): string {
    const root = path.join(roots, name);
    for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), content);
    }
    return root;
}

function dryRun(root: string): { status: number | null; stdout: string; stderr: string } {
    return spawnSync("bash", [SCRIPT, "--dry-run", "--root", root], { encoding: "utf8" });
}

const read = (root: string, file: string) => fs.readFileSync(path.join(root, file), "utf8");

describe(".ci/prerequisites.sh", () => {
    it("on Debian 12: arm64 from Debian's own mirrors (sources untouched), libssl3", () => {
        const root = tree("debian12", { "etc/os-release": OS_RELEASE.debian12, "etc/apt/sources.list.d/debian.sources": DEBIAN_SOURCES });
        const run = dryRun(root);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(read(root, "etc/apt/sources.list.d/debian.sources"), DEBIAN_SOURCES);
        assert.deepEqual(fs.readdirSync(path.join(root, "etc/apt/sources.list.d")), ["debian.sources"]);
        const commands = run.stdout.split("\n").filter((line) => line.startsWith("+ "));
        assert.deepEqual(commands.slice(0, 2), ["+ dpkg --add-architecture arm64", "+ apt-get update -qq"]);
        assert.match(commands[2]!, /^\+ apt-get install -y -qq .* libc6:arm64 .* libssl3:arm64 chromium$/);
        for (const pkg of ["clang", "lld", "gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross", "qemu-user", "cmake", "shellcheck", "chromium"]) assert.ok(commands[2]!.split(" ").includes(pkg), pkg);
    });

    it("on Ubuntu 24.04: the archive restricted to amd64, arm64 from the ports archive, libssl3t64", () => {
        const root = tree("ubuntu2404", { "etc/os-release": OS_RELEASE.ubuntu2404, "etc/apt/sources.list.d/ubuntu.sources": UBUNTU_SOURCES });
        const run = dryRun(root);
        assert.equal(run.status, 0, run.stderr);
        const sources = read(root, "etc/apt/sources.list.d/ubuntu.sources");
        const stanzas = sources.split(/\n\s*\n/).filter((s) => /^Types:/m.test(s));
        assert.equal(stanzas.length, 2);
        for (const stanza of stanzas) assert.match(stanza, /^Architectures: amd64$/m, stanza);
        assert.equal(sources.replace(/^Architectures: amd64\n/gm, ""), UBUNTU_SOURCES, "nothing else changed");
        const ports = read(root, "etc/apt/sources.list.d/ubuntu-ports-arm64.sources");
        assert.match(ports, /^URIs: http:\/\/ports\.ubuntu\.com\/ubuntu-ports\/$/m);
        assert.match(ports, /^Suites: noble noble-updates noble-backports noble-security$/m);
        assert.match(ports, /^Architectures: arm64$/m);
        assert.match(run.stdout, /^\+ apt-get install -y -qq .* libssl3t64:arm64 chromium-browser$/m);
        assert.doesNotMatch(run.stdout, / libssl3:arm64/);
    });

    it("on Ubuntu 24.04 twice: nothing changes the second time", () => {
        const root = tree("ubuntu2404-twice", { "etc/os-release": OS_RELEASE.ubuntu2404, "etc/apt/sources.list.d/ubuntu.sources": UBUNTU_SOURCES });
        dryRun(root);
        const first = read(root, "etc/apt/sources.list.d/ubuntu.sources");
        const again = dryRun(root);
        assert.equal(again.status, 0);
        assert.equal(read(root, "etc/apt/sources.list.d/ubuntu.sources"), first);
        assert.doesNotMatch(again.stdout, /wrote/, "no file rewritten");
    });

    it("on a GitHub runner's Ubuntu (mirror list URIs, a one-line sources.list): each entry restricted to amd64", () => {
        const runnerSources = UBUNTU_SOURCES.replace("URIs: http://archive.ubuntu.com/ubuntu/", "URIs: mirror+file:/etc/apt/apt-mirrors.txt");
        const root = tree("runner", {
            "etc/os-release": OS_RELEASE.ubuntu2404,
            "etc/apt/sources.list.d/ubuntu.sources": runnerSources,
            "etc/apt/sources.list":
                "deb http://archive.ubuntu.com/ubuntu noble main\n# deb-src http://archive.ubuntu.com/ubuntu noble main\n" +
                "deb [signed-by=/usr/share/keyrings/vendor.gpg] https://vendor.example/apt noble main\ndeb [arch=amd64,arm64] https://both.example/apt noble main\n",
        });
        assert.equal(dryRun(root).status, 0);
        assert.equal(read(root, "etc/apt/sources.list.d/ubuntu.sources").match(/^Architectures: amd64$/gm)?.length, 2);
        assert.equal(
            read(root, "etc/apt/sources.list"),
            "deb [arch=amd64] http://archive.ubuntu.com/ubuntu noble main\n# deb-src http://archive.ubuntu.com/ubuntu noble main\n" +
                "deb [arch=amd64 signed-by=/usr/share/keyrings/vendor.gpg] https://vendor.example/apt noble main\ndeb [arch=amd64,arm64] https://both.example/apt noble main\n",
            "an entry with options gets arch=amd64 among them; one that names its architectures is left as it is",
        );
    });

    it("elsewhere: fails at once, naming the supported systems and the packages", () => {
        const run = dryRun(tree("fedora", { "etc/os-release": OS_RELEASE.fedora }));
        assert.equal(run.status, 1);
        assert.match(run.stderr, /Fedora Linux 41 is not supported: use Debian 12 or Ubuntu 24\.04 \(x86_64\), or install the equivalents of: clang lld/);
        assert.equal(dryRun(tree("empty", {})).status, 1);
    });

    it("is what the README tells a new user to run, and what .ci/run runs", () => {
        const readme = fs.readFileSync(path.join(repositoryRoot, "README.md"), "utf8");
        assert.match(readme, /^bash \.ci\/prerequisites\.sh$/m);
        assert.match(fs.readFileSync(path.join(repositoryRoot, ".ci", "run"), "utf8"), /^bash \.ci\/prerequisites\.sh$/m);
    });
});
