<#
.SYNOPSIS
Runs the Pester tests in this (fresh) process and writes their counts as JSON for build.ps1.

.PARAMETER PlainText
Output without colour escape codes. Also chosen when this process's output goes to a file or a pipe, when CI is
'true' (as CI systems set it) or when NO_COLOR is set; build.ps1 passes it when its own output is redirected.
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $TestPath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [switch] $PlainText
)
$ErrorActionPreference = 'Stop'
$plain = $PlainText -or [Console]::IsOutputRedirected -or $env:CI -eq 'true' -or $env:NO_COLOR
Import-Module $PesterManifest -Force
$configuration = New-PesterConfiguration
$configuration.Run.Path = $TestPath
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
if ($plain) {
    $configuration.Output.RenderMode = 'Plaintext'
    # What the tests themselves format (errors, tables) follows $PSStyle on PowerShell 7.2+.
    if (Get-Variable -Name PSStyle -ErrorAction SilentlyContinue) { $PSStyle.OutputRendering = 'PlainText' }
}
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputPath = Join-Path (Split-Path $SummaryPath) 'pester.xml'
$result = Invoke-Pester -Configuration $configuration
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[ordered]@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount } |
    ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
