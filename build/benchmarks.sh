#!/usr/bin/env bash
# Scripted side-by-side benchmarks (never part of `dotnet test`): analyzer cost on 2,000 generated migrations, then
# writer stalls while a scaffolded migration runs on a 1,000,000-row table with plain Migrate() vs the engine.
# Needs the PostgreSQL server binaries (apt-get install postgresql). Numbers are ratios within one run: compare
# the two columns, not runs on different machines.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
dotnet build tests/SafeMigrations.Benchmarks -c Release
dotnet tests/SafeMigrations.Benchmarks/bin/Release/net10.0/SafeMigrations.Benchmarks.dll --quick 2000
dotnet tests/SafeMigrations.Benchmarks/bin/Release/net10.0/SafeMigrations.Benchmarks.dll --apply-stall "$rows"
