# Sourced by build.sh and fuzz.sh: sets WW_LAUNCHER (cmake arguments) and the ccache
# environment when ccache is installed and WW_NO_CCACHE is not 1. ROOT is the checkout.
WW_LAUNCHER=()
if [[ "${WW_NO_CCACHE:-0}" != "1" ]] && command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="$ROOT"   # absolute paths under the checkout become relative
  export CCACHE_NOHASHDIR=1       # the build folder's path does not enter the hash
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-8G}"
  WW_LAUNCHER=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
