# Sourced by the bin/ scripts: builds the runnable jars once, when they are missing.
# Jars: fileserver/target/fileserver.jar and fileclient/target/fileclient.jar, each with its
# dependencies copied into target/lib (maven-dependency-plugin copy-dependencies; BouncyCastle's as
# unsigned copies from maven-antrun-plugin, see the parent pom) and listed in the jar manifest's
# Class-Path.
# Without a subshell or a program: on this kind of VM each fork costs several milliseconds, and
# bin/fileclient's run through the agent takes about 0.25 s in all.
case "${BASH_SOURCE[0]}" in
  */*) ROOT="${BASH_SOURCE[0]%/*}/.." ;;
  *) ROOT=".." ;;
esac
case "$ROOT" in
  /*) ;;
  *) ROOT="$PWD/$ROOT" ;;
esac
need_build() {
  [ ! -f "$ROOT/fileserver/target/fileserver.jar" ] || [ ! -d "$ROOT/fileserver/target/lib" ] ||
  [ ! -f "$ROOT/fileclient/target/fileclient.jar" ] || [ ! -d "$ROOT/fileclient/target/lib" ]
}
if need_build; then
  echo "building the project once (mvn -B -q -DskipTests package)..." >&2
  (cd "$ROOT" && mvn -B -q -DskipTests package) >&2 || { echo "build failed" >&2; exit 1; }
fi
