#!/usr/bin/env bash
# Shows the innermost reason an ILC build failed (development aid).
dotnet build kernel/Exo.Kernel.csproj -t:IlcCompile -c "${1:-Debug}" --nologo 2>&1 | grep -E "^\s+---> |error" | grep -v -E "MSB3073|Delete explicit" | sort -u | head -20
