#!/usr/bin/env bash
# Installs the system packages this project builds and tests with, on Debian 12 or Ubuntu 24.04 (x86_64): the
# native toolchain for the function's Native AOT bootstrap on both Lambda architectures (clang, lld, the arm64 cross
# C library), qemu and the arm64 C and TLS libraries to run the arm64 bootstrap in tests, what AWS's Node.js Runtime
# Interface Client builds its addon with (cmake, make, g++, python3), shellcheck for the workflow's scripts, and
# Chromium for the console's browser tests (playwright-core drives the browser installed here; it downloads none).
# As root, or as a user with sudo:  bash .ci/prerequisites.sh
#
# The one thing that differs between the two: where arm64 packages come from. Debian serves every architecture from
# its own mirrors; Ubuntu serves arm64 only from ports.ubuntu.com, so its archive entries are restricted to amd64
# and a ports entry is added for arm64 (otherwise `apt-get update` fails asking the archive for arm64 lists). And the
# TLS library is libssl3 on Debian 12, libssl3t64 from Ubuntu 24.04 and Debian 13 on (the 64-bit time_t transition).
# Chromium is Debian's chromium; Ubuntu ships it as chromium-browser, a package that installs the snap.
#
# --dry-run prints the commands instead of running them; --root DIR reads and edits DIR/etc instead of /etc (tests).
set -euo pipefail

root=""
dry_run=false
while [ $# -gt 0 ]; do
    case "$1" in
        --dry-run) dry_run=true ;;
        --root) root="${2:?--root needs a directory}"; shift ;;
        *) echo "usage: bash .ci/prerequisites.sh [--dry-run] [--root DIR]" >&2; exit 2 ;;
    esac
    shift
done

# The packages, Debian's names; the TLS library's and the browser's names are added below.
packages=(clang lld binutils gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu qemu-user libc6:arm64 cmake make g++ python3 xz-utils shellcheck)

if [ ! -r "$root/etc/os-release" ]; then
    echo ".ci/prerequisites.sh: $root/etc/os-release not found: run it on Debian 12 or Ubuntu 24.04" >&2
    exit 1
fi
# shellcheck source=/dev/null
. "$root/etc/os-release"
id="${ID:-}"
version="${VERSION_ID:-0}"
codename="${VERSION_CODENAME:-}"
case "$id" in
    debian) if [ "${version%%.*}" -ge 13 ]; then libssl=libssl3t64; else libssl=libssl3; fi; browser=chromium ;;
    ubuntu) if [ "${version%%.*}" -ge 24 ]; then libssl=libssl3t64; else libssl=libssl3; fi; browser=chromium-browser ;;
    *)
        echo ".ci/prerequisites.sh: ${PRETTY_NAME:-this system} is not supported: use Debian 12 or Ubuntu 24.04 (x86_64), or install the equivalents of: ${packages[*]} libssl3:arm64 chromium" >&2
        exit 1
        ;;
esac
packages+=("$libssl:arm64" "$browser")

# The packages are x86_64's, with arm64 as the foreign architecture: on an arm64 machine this would be the wrong way round.
if [ -z "$root" ] && command -v dpkg >/dev/null 2>&1 && [ "$(dpkg --print-architecture)" != amd64 ]; then
    echo ".ci/prerequisites.sh: this machine is $(dpkg --print-architecture); the script is written for x86_64 (amd64) machines" >&2
    exit 1
fi

# sudo resets the environment: DEBIAN_FRONTEND goes through env.
if [ "$(id -u)" -eq 0 ] || $dry_run; then
    sudo=(env DEBIAN_FRONTEND=noninteractive)
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo env DEBIAN_FRONTEND=noninteractive)
else
    echo ".ci/prerequisites.sh: run it as root, or install sudo" >&2
    exit 1
fi

run() {
    if $dry_run; then echo "+ $*"; else "${sudo[@]}" "$@"; fi
}

# As root the file is written directly; as a user, through sudo (env would not help a redirection).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Writes stdin to a file under $root/etc (with sudo unless dry), only when its content changes.
write_file() {
    local file="$root$1" content
    content="$(cat)"
    if [ -z "$content" ]; then
        echo ".ci/prerequisites.sh: refusing to write an empty $1 (reading or editing it failed)" >&2
        exit 1
    fi
    if [ -f "$file" ] && [ "$(cat "$file")" = "$content" ]; then return; fi
    if [ -n "$root" ]; then
        printf '%s\n' "$content" >"$file"
    elif $dry_run; then
        printf '+ write %s:\n%s\n' "$1" "$content"
        return
    else
        printf '%s\n' "$content" | as_root tee "$file" >/dev/null
    fi
    echo ".ci/prerequisites.sh: wrote $1"
}

if [ "$id" = ubuntu ]; then
    deb822="/etc/apt/sources.list.d/ubuntu.sources"
    if [ -f "$root$deb822" ]; then
        # Each stanza without an Architectures field gets "Architectures: amd64" after its Types line.
        write_file "$deb822" < <(awk '
            /^[[:space:]]*$/ { if (types != "" && !arch) print "Architectures: amd64"; types = ""; arch = 0; print; next }
            /^Types:/ { types = $0 }
            /^Architectures:/ { arch = 1 }
            { print }
            END { if (types != "" && !arch) print "Architectures: amd64" }
        ' "$root$deb822")
    fi
    if [ -f "$root/etc/apt/sources.list" ]; then
        # The one-line format of older images: "deb URI …" becomes "deb [arch=amd64] URI …", and an entry that already
        # has options ("deb [signed-by=…] URI …") gets arch=amd64 among them, unless it names its architectures.
        write_file "/etc/apt/sources.list" < <(sed -E \
            -e '/^deb(-src)? \[[^]]*arch=/b' \
            -e 's/^(deb(-src)?) \[([^]]*)\]/\1 [arch=amd64 \3]/' \
            -e 's/^(deb(-src)?) (https?:|mirror)/\1 [arch=amd64] \3/' "$root/etc/apt/sources.list")
    fi
    write_file "/etc/apt/sources.list.d/ubuntu-ports-arm64.sources" <<PORTS
Types: deb
URIs: http://ports.ubuntu.com/ubuntu-ports/
Suites: $codename $codename-updates $codename-backports $codename-security
Components: main universe restricted multiverse
Architectures: arm64
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg
PORTS
fi

run dpkg --add-architecture arm64
run apt-get update -qq
run apt-get install -y -qq "${packages[@]}"
if $dry_run; then echo ".ci/prerequisites.sh: would install ${packages[*]}"; else echo ".ci/prerequisites.sh: installed ${packages[*]}"; fi
