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

# python3 (or python, as Windows names it) on PATH, or $null. Windows' App Execution Alias stubs (WindowsApps) only
# offer the Store, so they do not count.
function Get-PythonCommand {
    Get-Command -Name python3, python -CommandType Application -ErrorAction SilentlyContinue |
        Where-Object { $_.Source -notmatch '[\\/]WindowsApps[\\/]' } | Select-Object -First 1
}
