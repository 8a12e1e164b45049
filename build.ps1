#Requires -Version 5.1
<#
.SYNOPSIS
Builds, tests, demonstrates, benchmarks and packages FletSecret.

.DESCRIPTION
Build    out/FletSecret: the manifest, FletSecret.dll (the cmdlets), the cipher in bin/net8.0 and bin/netstandard2.0,
         and the help (en-US).
Test     Build, then the xUnit suites (both builds of the cipher; the netstandard2.0 one also on .NET Framework 4.7.2:
         natively on Windows, under Mono elsewhere, Mono installed with apt-get where root can), and the Pester tests
         in a fresh PowerShell; ends with one line 'N passed, N failed' and exits non-zero on any failure.
Demo     Build, then encrypt and decrypt a sample string and show the Python that reads the same token.
Bench    Build, then the benchmark table, also written into docs/performance.md (between its bench markers).
Package  Build, then out/packages: the module's nupkg (PSResourceGet) and FletSecret.Cipher's (dotnet pack).

Run it from any pwsh 7.4+ or Windows PowerShell 5.1; on a machine with only the .NET SDK:
  dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Package', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'FletSecret'
$frameworks = 'net8.0', 'netstandard2.0'
$pesterVersion = [version]'5.7.1'
. (Join-Path $root 'tools/Processes.ps1')

function Invoke-Native {
    param([string] $Command, [string[]] $Arguments)
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Get-ModuleVersion {
    $text = Get-Content -Raw -LiteralPath (Join-Path $root 'FletSecret.psd1')
    if ($text -notmatch "ModuleVersion\s*=\s*'([^']+)'") { throw 'FletSecret.psd1 has no ModuleVersion.' }
    $Matches[1]
}

# Runs a script in a fresh process of this same PowerShell, so that it imports the module just built.
function Invoke-FreshPwsh {
    param([string] $File, [string[]] $Arguments = @())
    $pwsh = Get-PwshCommand
    $all = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $File) + $Arguments
    & $pwsh[0] @all
}

function Invoke-Build {
    $version = Get-ModuleVersion
    if (Test-Path -LiteralPath $moduleOut) { Remove-Item -LiteralPath $moduleOut -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $moduleOut
    # The cmdlets: one netstandard2.0 assembly, the manifest's RootModule on both editions.
    $publish = Join-Path $out 'publish/cmdlets'
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/FletSecret/FletSecret.csproj'), '--nologo', '-v', 'quiet',
        '-c', $Configuration, '-f', 'netstandard2.0', '-o', $publish, "-p:Version=$version")
    Copy-Item -LiteralPath (Join-Path $publish 'FletSecret.dll') -Destination $moduleOut
    # The cipher per runtime, in bin/<framework> where only the module's CipherLoader looks. Only the assemblies ship:
    # no pdb, no xml docs, no PowerShell reference assemblies.
    foreach ($framework in $frameworks) {
        $publish = Join-Path $out "publish/$framework"
        Invoke-Native dotnet @('publish', (Join-Path $root 'src/FletSecret.Module.Cipher/FletSecret.Module.Cipher.csproj'),
            '--nologo', '-v', 'quiet', '-c', $Configuration, '-f', $framework, '-o', $publish, "-p:Version=$version")
        $bin = New-Item -ItemType Directory -Path (Join-Path $moduleOut "bin/$framework")
        Copy-Item -LiteralPath (Join-Path $publish 'FletSecret.Module.Cipher.dll') -Destination $bin
    }
    Write-Manifest -Version $version
    Copy-Item -LiteralPath (Join-Path $root 'FletSecret.Format.ps1xml') -Destination $moduleOut
    foreach ($file in 'LICENSE', 'CHANGELOG.md') {
        $path = Join-Path $root $file
        if (Test-Path -LiteralPath $path) { Copy-Item -LiteralPath $path -Destination $moduleOut }
    }
    Build-Help
    Write-Host "Built FletSecret $version into $moduleOut"
}

# The built manifest is the source one with ReleaseNotes drawn from this version's CHANGELOG.md section.
function Write-Manifest {
    param([string] $Version)
    $text = Get-Content -Raw -LiteralPath (Join-Path $root 'FletSecret.psd1')
    $changelog = Get-Content -Raw -LiteralPath (Join-Path $root 'CHANGELOG.md')
    $section = [regex]::Match($changelog, "(?ms)^## v$([regex]::Escape($Version)) .*?(?=^## v|\z)").Value.Trim()
    if (-not $section) { throw "CHANGELOG.md has no section '## v$Version'." }
    $notes = $section.Replace("'", "''")
    $text = [regex]::Replace($text, "ReleaseNotes\s*=\s*'[^']*'", { param($m) "ReleaseNotes = '$notes'" })
    Set-Content -LiteralPath (Join-Path $moduleOut 'FletSecret.psd1') -Value $text -NoNewline -Encoding utf8
}

# The help: platyPS's New-ExternalHelp where platyPS is installed, else tools/HelpCompiler (Markdig), which checks
# each page against the cmdlets of the FletSecret.dll just built and fails with 'file:line: message'. The compiler
# is built either way: the help tests read the docs through it.
function Build-Help {
    $docs = Join-Path $root 'docs/en-US'
    if (-not (Test-Path -LiteralPath $docs)) { return }
    $helpOut = Join-Path $moduleOut 'en-US'
    $compiler = Get-HelpCompiler
    $platyPS = Get-Module -ListAvailable -Name platyPS | Sort-Object Version -Descending | Select-Object -First 1
    if ($platyPS) {
        Import-Module $platyPS
        $null = New-ExternalHelp -Path $docs -OutputPath $helpOut -Force
    }
    else {
        Invoke-Native dotnet @($compiler, $docs, '--assembly', (Join-Path $moduleOut 'FletSecret.dll'), '--out', $helpOut)
    }
}

# out/tools/HelpCompiler/HelpCompiler.dll, built when missing or older than its sources: a dotnet build of an
# unchanged project still costs seconds, running the dll a fraction of one.
function Get-HelpCompiler {
    $project = Join-Path $root 'tools/HelpCompiler'
    $bin = Join-Path $out 'tools/HelpCompiler'
    $dll = Join-Path $bin 'HelpCompiler.dll'
    $inputs = @(Get-ChildItem -LiteralPath $project -File) + @(Get-Item -LiteralPath (Join-Path $root 'Directory.Build.props'))
    $built = if (Test-Path -LiteralPath $dll) { (Get-Item -LiteralPath $dll).LastWriteTimeUtc } else { [datetime]::MinValue }
    if (@($inputs | Where-Object { $_.LastWriteTimeUtc -gt $built }).Count -gt 0) {
        # Quiet unless it fails: dotnet build prints its elapsed time even at -v quiet.
        $log = & dotnet build (Join-Path $project 'HelpCompiler.csproj') --nologo -v quiet -c Release -o $bin
        if ($LASTEXITCODE -ne 0) { $log | Out-Host; throw "Building the help compiler ($project) failed with exit code $LASTEXITCODE." }
        # An unchanged build copies nothing and leaves the old time: the stamp says these sources were built.
        (Get-Item -LiteralPath $dll).LastWriteTimeUtc = [datetime]::UtcNow
    }
    $dll
}

function Get-NuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = dotnet nuget locals global-packages --list | Select-Object -First 1
    ($line -replace '^global-packages:\s*', '').Trim()
}

# Pester: an installed one if it is new enough, else the module inside the NuGet package, restored into the cache.
function Get-PesterManifest {
    $installed = Get-Module -ListAvailable -Name Pester |
        Where-Object { $_.Version -ge [version]'5.5.0' } | Sort-Object Version -Descending | Select-Object -First 1
    if ($installed) { return $installed.Path }
    $manifest = Join-Path (Get-NuGetPackagesFolder) "pester/$pesterVersion/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $manifest)) {
        Invoke-Native dotnet @('restore', (Join-Path $root 'tools/pester/Pester.Restore.csproj'), '--nologo', '-v', 'quiet',
            "-p:PesterVersion=$pesterVersion")
    }
    if (-not (Test-Path -LiteralPath $manifest)) { throw "Pester $pesterVersion was not found at $manifest after restore." }
    $manifest
}

function Invoke-UnitTests {
    $results = Join-Path $out 'TestResults/xunit'
    if (Test-Path -LiteralPath $results) { Remove-Item -LiteralPath $results -Recurse -Force }
    & dotnet test (Join-Path $root 'FletSecret.sln') --nologo -c $Configuration --logger 'trx' --logger 'console;verbosity=minimal' --results-directory $results | Out-Host
    $passed = 0; $failed = 0; $skipped = 0
    foreach ($trx in Get-ChildItem -LiteralPath $results -Filter *.trx -ErrorAction SilentlyContinue) {
        $counters = ([xml](Get-Content -Raw -LiteralPath $trx.FullName)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed
        $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        $skipped += [int]$counters.notExecuted
    }
    if ($LASTEXITCODE -ne 0 -and $failed -eq 0) { $failed = 1; Write-Host 'dotnet test failed without a failed test (a build or runner error).' }
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = $skipped }
}

# How to start a .NET Framework program here: directly on Windows; with Mono elsewhere, installing Mono with apt-get
# where that can be done quietly (as root, or with password-less sudo in CI). Returns the command line's first words,
# or a string saying why the .NET Framework tests cannot run here.
function Get-NetFrameworkHost {
    if ($env:OS -eq 'Windows_NT') { return , @() }
    $mono = Get-Command -Name mono -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($mono) { return , @($mono.Source) }
    $apt = Get-Command -Name apt-get -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $apt) { return 'mono is not installed and there is no apt-get to install it (macOS: brew install mono)' }
    $sudo = @()
    if ((& id -u) -ne '0') {
        $canSudo = $env:CI -eq 'true' -and (Get-Command -Name sudo -ErrorAction SilentlyContinue)
        if ($canSudo) { & sudo -n true 2>$null; $canSudo = $LASTEXITCODE -eq 0 }
        if (-not $canSudo) { return 'mono is not installed (install it with: sudo apt-get install mono-devel)' }
        $sudo = @('sudo', '-n')
    }
    # mono-devel: the runtime, the class libraries and the reference facades (netstandard.dll) that xunit's runner loads.
    Write-Host 'Installing Mono (apt-get install mono-devel) for the .NET Framework tests of the netstandard2.0 cipher...'
    $log = Join-Path $out 'TestResults/apt-mono.log'
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $log)
    $install = {
        $command = @($sudo) + @('env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get') + $args
        & $command[0] @($command | Select-Object -Skip 1) *>> $log
        $LASTEXITCODE
    }
    if ((& $install install -y -q --no-install-recommends mono-devel) -ne 0) {
        # A fresh machine may have no package lists yet.
        $null = & $install update -q
        $null = & $install install -y -q --no-install-recommends mono-devel
    }
    $mono = Get-Command -Name mono -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $mono) { return "installing mono-devel with apt-get failed (see $log)" }
    , @($mono.Source)
}

# The cipher tests built for net472 (tests/FletSecret.Cipher.Tests.NetFramework, built here) against the
# netstandard2.0 cipher: the build Windows PowerShell 5.1 loads, on the .NET Framework or Mono.
function Invoke-NetFrameworkTests {
    $name = 'FletSecret.Cipher.Tests.NetFramework'
    $project = Join-Path $root "tests/$name/$name.csproj"
    $bin = Join-Path $root "tests/$name/bin/$Configuration/net472"
    # dotnet test builds only the VSTest projects of the solution: this host is built here, so it is never stale.
    & dotnet build $project --nologo -v quiet -c $Configuration | Out-Host
    if ($LASTEXITCODE -ne 0) {
        Write-Host "The .NET Framework cipher tests did not build ($project)."
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; SkipReason = $null }
    }
    $skip = { param($Reason) Write-Host "SKIPPED the .NET Framework (net472) cipher tests: $Reason."; [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; SkipReason = $Reason } }
    if (-not (Test-Path -LiteralPath (Join-Path $bin "$name.dll"))) {
        Write-Host "The .NET Framework cipher tests were not built ($bin)."
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; SkipReason = $null }
    }
    $hostCommand = Get-NetFrameworkHost
    if ($hostCommand -is [string]) { return & $skip $hostCommand }
    $results = Join-Path $out 'TestResults/xunit-net472.xml'
    if (Test-Path -LiteralPath $results) { Remove-Item -LiteralPath $results }
    $runner = @($hostCommand) + @((Join-Path $bin 'xunit.console.exe'))
    $arguments = @((Join-Path $bin "$name.dll"), '-nologo', '-noappdomain', '-xml', $results)
    $runtime = if ($hostCommand.Count) { (& $hostCommand[0] --version | Select-Object -First 1) } else { '.NET Framework' }
    Write-Host "Running the net472 cipher tests on $runtime"
    Push-Location -LiteralPath $bin
    try { & $runner[0] @($runner | Select-Object -Skip 1) @arguments | Out-Host } finally { Pop-Location }
    $exit = $LASTEXITCODE
    if (-not (Test-Path -LiteralPath $results)) {
        Write-Host "xunit.console reported no result (exit code $exit)."
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; SkipReason = $null }
    }
    # Attributes read with GetAttribute: <assembly errors="0"> also has an <errors> child element.
    $assembly = ([xml](Get-Content -Raw -LiteralPath $results)).assemblies.assembly
    $count = { param($Name) [int]$assembly.GetAttribute($Name) }
    $failed = (& $count failed) + (& $count errors)
    if ($exit -ne 0 -and $failed -eq 0) { $failed = 1; Write-Host "xunit.console failed with exit code $exit without a failed test." }
    [pscustomobject]@{ Passed = (& $count passed); Failed = $failed; Skipped = (& $count skipped); SkipReason = $null }
}

function Invoke-PesterTests {
    $pester = Get-PesterManifest
    $summary = Join-Path $out 'TestResults/pester.json'
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $summary)
    if (Test-Path -LiteralPath $summary) { Remove-Item -LiteralPath $summary }
    # The child's output is always a pipe to this process: whether to colour it is this process's call.
    $arguments = @('-PesterManifest', $pester, '-TestPath', (Join-Path $root 'tests'), '-SummaryPath', $summary)
    if ([Console]::IsOutputRedirected -or $env:CI -eq 'true' -or $env:NO_COLOR) { $arguments += '-PlainText' }
    Invoke-FreshPwsh (Join-Path $root 'tools/Invoke-PesterTests.ps1') $arguments | Out-Host
    if (-not (Test-Path -LiteralPath $summary)) {
        Write-Host 'Pester did not report a result.'
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    Get-Content -Raw -LiteralPath $summary | ConvertFrom-Json
}

function Invoke-Test {
    Invoke-Package
    $unit = Invoke-UnitTests
    $framework = Invoke-NetFrameworkTests
    $pester = Invoke-PesterTests
    $passed = $unit.Passed + $framework.Passed + $pester.Passed
    $failed = $unit.Failed + $framework.Failed + $pester.Failed
    $skipped = $unit.Skipped + $framework.Skipped + $pester.Skipped
    $frameworkLine = if ($framework.SkipReason) { "skipped ($($framework.SkipReason))" } else {
        '{0} passed, {1} failed, {2} skipped' -f $framework.Passed, $framework.Failed, $framework.Skipped }
    Write-Host ("xUnit: {0} passed, {1} failed, {2} skipped. xUnit net472: {3}. Pester: {4} passed, {5} failed, {6} skipped." -f
        $unit.Passed, $unit.Failed, $unit.Skipped, $frameworkLine, $pester.Passed, $pester.Failed, $pester.Skipped)
    Write-Host ('{0} passed, {1} failed, {2} skipped' -f $passed, $failed, $skipped)
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    Invoke-FreshPwsh (Join-Path $root 'tools/Demo.ps1')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Bench {
    Invoke-Build
    # The table goes into docs/performance.md, the one place the figures are written (README and help cite it).
    Invoke-FreshPwsh (Join-Path $root 'bench/Invoke-Bench.ps1') @('-DocumentPath', (Join-Path $root 'docs/performance.md'))
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Package {
    Invoke-Build
    & (Join-Path $root 'tools/New-Packages.ps1') -ModulePath $moduleOut -OutputPath (Join-Path $out 'packages') -Configuration $Configuration
}

switch ($Task) {
    'Clean' { if (Test-Path -LiteralPath $out) { Remove-Item -LiteralPath $out -Recurse -Force } }
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Package' { Invoke-Package }
}
