# Shared setup for every *.Tests.ps1: dot-source it in BeforeAll.
# Imports the built module from out/FletSecret (build.ps1 -Task Build makes it) unless it is already loaded, or the
# module that FLETSECRET_TEST_MODULE names (the path of an installed FletSecret.psd1: CI tests the package that way).
$ErrorActionPreference = 'Stop'
$script:RepoRoot = Split-Path -Parent $PSScriptRoot
. (Join-Path $RepoRoot 'tools/Processes.ps1')
$script:ModuleManifest = if ($env:FLETSECRET_TEST_MODULE) { $env:FLETSECRET_TEST_MODULE } else { Join-Path $RepoRoot 'out/FletSecret/FletSecret.psd1' }
if (-not (Get-Module -Name FletSecret)) {
    if (-not (Test-Path -LiteralPath $ModuleManifest)) {
        if ($env:FLETSECRET_TEST_MODULE) { throw "FLETSECRET_TEST_MODULE names no file: $ModuleManifest." }
        throw "Build first: ./build.ps1 -Task Build (no $ModuleManifest)."
    }
    Import-Module $ModuleManifest -Force
}
if (-not (Get-Variable -Name IsWindows -ErrorAction SilentlyContinue)) { $script:IsWindows = $true }

# The Flet vectors (made with Python's cryptography), copied from the shared vectors.
$script:FletVectors = (Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot 'data/flet-vectors.json') | ConvertFrom-Json).cases

# Tests use few iterations unless the count itself is under test: each 600000-iteration derivation costs ~0.2 s.
$script:FastIterations = 1000

function New-TestKey {
    param([string] $Text = 'pester key ' + [guid]::NewGuid())
    ConvertTo-SecureString -String $Text -AsPlainText -Force
}

# $null when python3 with the cryptography package can run the Flet reference; else the reason it cannot.
function Get-PythonSkipReason {
    $python = Get-PythonCommand
    if (-not $python) { return 'python3 is not on PATH' }
    $null = & $python.Source -c 'import cryptography' 2>&1
    if ($LASTEXITCODE -ne 0) { return "$($python.Source) has no 'cryptography' package" }
    $null
}

# Runs Flet's algorithm in Python (tests/data/flet_reference.py). Secrets travel on stdin as JSON, never on a command line.
function Invoke-FletPython {
    param([Parameter(Mandatory)] [hashtable] $Request)
    $python = Get-PythonCommand
    $script = Join-Path $PSScriptRoot 'data/flet_reference.py'
    $json = $Request | ConvertTo-Json -Compress -Depth 5
    $output = $json | & $python.Source $script
    if ($LASTEXITCODE -ne 0) { throw "flet_reference.py failed with exit code $LASTEXITCODE." }
    ($output -join "`n") | ConvertFrom-Json
}

# Every record of every stream a call wrote, flattened to text, to search for a secret in.
function Get-AllStreamText {
    param([object[]] $Records)
    foreach ($record in $Records) {
        if ($null -eq $record) { continue }
        "$record"
        if ($record -is [System.Management.Automation.ErrorRecord]) {
            "$($record.TargetObject)"
            "$($record.ErrorDetails)"
            "$($record.ErrorDetails.RecommendedAction)"
            $record.Exception.ToString()
            foreach ($key in $record.Exception.Data.Keys) { "$key=$($record.Exception.Data[$key])" }
            "$($record.CategoryInfo)"
            "$($record.InvocationInfo.Line)"
        }
        elseif ($record -is [System.Management.Automation.InformationRecord]) { "$($record.MessageData)" }
        elseif ($record -is [System.Management.Automation.VerboseRecord] -or $record -is [System.Management.Automation.WarningRecord] -or $record -is [System.Management.Automation.DebugRecord]) { $record.Message }
    }
}

# Runs a script in a fresh PowerShell process (the same PowerShell as this one) with extra environment variables,
# which may be empty (a parent can hand a child an empty variable; a running .NET process cannot make one).
function Invoke-ChildPwsh {
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $pwsh = Get-PwshCommand
    # A script file, not -Command -: commands read from stdin make pwsh write terminal escape sequences.
    $file = Join-Path ([System.IO.Path]::GetTempPath()) "fletsecret-child-$([guid]::NewGuid()).ps1"
    Set-Content -LiteralPath $file -Value $Script -Encoding utf8
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $file)
    try { Invoke-Program -FilePath $pwsh[0] -Arguments $arguments -Environment $Environment }
    finally { Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue }
}

# Runs a program and returns its exit code, output and error output (stderr read without PowerShell turning its
# lines into error records, which Windows PowerShell 5.1 would throw on under ErrorActionPreference Stop).
function Invoke-Program {
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $Arguments = @(), [hashtable] $Environment = @{})
    $info = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    if ($info.PSObject.Properties['ArgumentList']) { foreach ($argument in $Arguments) { $info.ArgumentList.Add($argument) } }
    else {
        # Windows PowerShell 5.1 (.NET Framework) has no ArgumentList: one command line, each argument quoted.
        $info.Arguments = ($Arguments | ForEach-Object { '"' + $_ + '"' }) -join ' '
    }
    foreach ($name in $Environment.Keys) { $info.Environment[$name] = $Environment[$name] }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $stderr = $process.StandardError.ReadToEndAsync()
    $stdout = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout; Error = $stderr.Result }
}

# The help compiler (tools/HelpCompiler), which build.ps1 builds into out/tools: it reads docs/en-US with Markdig and
# checks each page against the cmdlets of the module's assembly (the one under test).
$script:HelpCompiler = Join-Path $RepoRoot 'out/tools/HelpCompiler/HelpCompiler.dll'

function Invoke-HelpCompiler {
    param([Parameter(Mandatory)] [string] $DocsPath, [Parameter(Mandatory)] [string[]] $Arguments)
    if (-not (Test-Path -LiteralPath $HelpCompiler)) { throw "Build first: ./build.ps1 -Task Build (no $HelpCompiler)." }
    $assembly = Join-Path (Split-Path $ModuleManifest) 'FletSecret.dll'
    Invoke-Program -FilePath 'dotnet' -Arguments (@($HelpCompiler, $DocsPath, '--assembly', $assembly) + $Arguments)
}

# The cmdlet pages of a docs folder as the help compiler reads them (its --json model), with the front matter as a
# hashtable; a page that breaks the schema throws the compiler's 'file:line: message'.
function Read-HelpDocs {
    param([string] $DocsPath = (Join-Path $RepoRoot 'docs/en-US'))
    $json = Join-Path ([System.IO.Path]::GetTempPath()) "fletsecret-docs-$([guid]::NewGuid()).json"
    try {
        $result = Invoke-HelpCompiler -DocsPath $DocsPath -Arguments @('--json', $json)
        if ($result.ExitCode -ne 0) { throw "The help compiler failed (exit code $($result.ExitCode)): $($result.Error)" }
        $pages = [System.IO.File]::ReadAllText($json) | ConvertFrom-Json
    }
    finally { Remove-Item -LiteralPath $json -ErrorAction SilentlyContinue }
    foreach ($page in $pages) {
        $metadata = @{}
        foreach ($property in $page.Metadata.PSObject.Properties) { $metadata[$property.Name] = $property.Value }
        $page.Metadata = $metadata
        $page
    }
}
