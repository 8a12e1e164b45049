# Dot-sourced by build.ps1, tests/common.ps1, tools/Demo.ps1 and bench/Invoke-Bench.ps1: how they find the
# programs they start.

# The command line that starts this same PowerShell again: pwsh itself, or 'dotnet pwsh.dll' for the dotnet tool.
function Get-PwshCommand {
    $exe = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    $name = [System.IO.Path]::GetFileNameWithoutExtension($exe)
    if ($name -in 'pwsh', 'powershell') { return , @($exe) }
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if (Test-Path -LiteralPath $dll) { return , @($exe, $dll) }
    throw "Cannot tell how to start PowerShell again from '$exe'."
}

# python3 (or python) on PATH, or $null.
function Get-PythonCommand {
    Get-Command -Name python3, python -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
}
