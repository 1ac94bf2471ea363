# Sourced by demo.sh and run-tests.sh: makes sure the Debian packages the
# project needs are installed. As root it installs what is missing; as
# anyone else it prints the exact apt-get line and stops.

PERMIT_DEBS="meson ninja-build pkg-config gcc libc6-dev libsodium-dev libjansson-dev libarchive-dev \
libcmocka-dev libseccomp-dev minisign python3 python3-jsonschema zip unzip scdoc \
libgtk-4-dev xvfb xauth gettext clang libclang-rt-14-dev valgrind libdeflate-dev xdotool \
libcurl4-openssl-dev nginx openssl curl util-linux"

permit_ensure_debs() {
        local missing="" p
        for p in $PERMIT_DEBS "$@"; do
                dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
        done
        [ -z "$missing" ] && return 0
        if [ "$(id -u)" = 0 ]; then
                echo "Installing Debian packages:$missing"
                export DEBIAN_FRONTEND=noninteractive
                apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
                        { echo "apt-get install failed for:$missing" >&2; return 1; }
        else
                echo "Missing Debian packages. Install them with:" >&2
                echo "  sudo apt-get install -y$missing" >&2
                return 1
        fi
}

# Configures and builds build DIR (default: build) with extra meson options.
permit_build() {
        local dir=$1
        shift
        if [ ! -f "$dir/build.ninja" ]; then
                meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log" >&2; return 1; }
                rm -f "$dir.setup.log"
        fi
        ninja -C "$dir" >/dev/null || ninja -C "$dir"
}
