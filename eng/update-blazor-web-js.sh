#!/usr/bin/env bash
# Regenerates Portal/wwwroot/_framework/blazor.web.js from the ASP.NET Core 9 runtime package.
# The .NET 10 copy ships in a package the package source lacks; the 9.x script drives a 10.x server.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dotnet run --project "$root/eng/blazor-web-js" -- "$root/Portal/wwwroot/_framework/blazor.web.js"
