# shellcheck shell=bash
# Debian packages that moecost's build, tests and demo need; sourced by scripts/test and
# scripts/demo.
#
#   moecost_ensure_deps [extra-package...]
#
# Checks each package with dpkg-query. If some are missing: as root, installs them with apt-get
# (running `apt-get update` first only when the package lists are empty, or when the install
# fails without it); otherwise prints the apt-get line to run and returns 1.

MOECOST_DEB_PACKAGES=(
    cmake ninja-build g++ clang
    libboost-dev catch2 nlohmann-json3-dev libcli11-dev libfmt-dev libbenchmark-dev
    graphviz libclang-rt-14-dev
)

# Prints the packages, among the arguments, that are not installed.
moecost_missing_packages() {
    local pkg status
    for pkg in "$@"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) || status=""
        [[ $status == "install ok installed" ]] || printf '%s\n' "$pkg"
    done
}

moecost_apt_lists_empty() {
    ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

moecost_ensure_deps() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "moecost: dpkg-query not found: not a Debian system; skipping the package check" >&2
        return 0
    fi
    local -a missing
    mapfile -t missing < <(moecost_missing_packages "${MOECOST_DEB_PACKAGES[@]}" "$@")
    ((${#missing[@]} == 0)) && return 0

    local -a install=(apt-get install -y --no-install-recommends "${missing[@]}")
    if ((EUID != 0)); then
        echo "moecost: missing Debian packages: ${missing[*]}" >&2
        echo "moecost: install them as root with:" >&2
        echo "    apt-get update && ${install[*]}" >&2
        return 1
    fi

    echo "moecost: installing missing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    if moecost_apt_lists_empty; then
        apt-get update || return 1
        "${install[@]}" || return 1
    elif ! "${install[@]}"; then
        echo "moecost: apt-get install failed; updating the package lists and retrying" >&2
        apt-get update && "${install[@]}" || return 1
    fi

    mapfile -t missing < <(moecost_missing_packages "${MOECOST_DEB_PACKAGES[@]}" "$@")
    if ((${#missing[@]} != 0)); then
        echo "moecost: still missing after apt-get install: ${missing[*]}" >&2
        return 1
    fi
}
