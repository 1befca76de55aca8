#!/bin/sh
# CTest example.java.vendor: builds the vendor's Maven project (examples/java/vendor) against
# the civitas jar of this build, offline, and runs it on the bundled synthetic table.
#   run_vendor.sh JAR JAR_POM PROJECT_DIR WORK_DIR DATA_DIR [MVN]
# The jar goes into a private repository under WORK_DIR (never into ~/.m2, which other builds
# share); the Maven plugins come from ~/.m2, where scripts/install-deps put them.
set -eu
jar=$1 pom=$2 project=$3 work=$4 data=$5 mvn=${6:-mvn}
repo="$work/repository"
version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' "$pom")
rm -rf "$repo" "$work/target"
# The repository layout install:install-file makes (groupId/artifactId/version/), written
# directly: no plugin needed for it.
dest="$repo/org/civitas/civitas/$version"
mkdir -p "$dest"
cp "$jar" "$dest/civitas-$version.jar"
cp "$pom" "$dest/civitas-$version.pom"
# A file: repository is read in offline mode only when the file protocol is allowed.
"$mvn" -o -q -B -Dstyle.color=never -f "$project/pom.xml" compile -Daether.offline.protocols=file \
  -Dcivitas.repo="file://$repo" -Dvendor.build.dir="$work/target"
exec java -cp "$work/target/classes:$dest/civitas-$version.jar" com.example.vendor.EmploymentSync "$data"
