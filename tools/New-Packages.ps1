<#
.SYNOPSIS
Writes the two packages into -OutputPath: FletSecret.<version>.nupkg (the module, made by PSResourceGet's
Publish-PSResource into a temporary local repository, as the Gallery receives it) and
FletSecret.Cipher.<version>.nupkg (the token library, from dotnet pack).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath,
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
$version = (Import-PowerShellDataFile -LiteralPath (Join-Path $ModulePath 'FletSecret.psd1')).ModuleVersion

if (Test-Path -LiteralPath $OutputPath) { Remove-Item -LiteralPath $OutputPath -Recurse -Force }
$null = New-Item -ItemType Directory -Path $OutputPath

# The module: a temporary repository under a name of its own, removed again whatever happens.
$repository = "FletSecretBuild$([guid]::NewGuid().ToString('N').Substring(0, 8))"
Register-PSResourceRepository -Name $repository -Uri $OutputPath -Trusted
try {
    Publish-PSResource -Path $ModulePath -Repository $repository
}
finally {
    Unregister-PSResourceRepository -Name $repository
}

# The library.
& dotnet pack (Join-Path $root 'src/FletSecret.Cipher/FletSecret.Cipher.csproj') --nologo -v quiet -c $Configuration -o $OutputPath "-p:Version=$version"
if ($LASTEXITCODE -ne 0) { throw "dotnet pack failed with exit code $LASTEXITCODE." }

Get-ChildItem -LiteralPath $OutputPath -Filter *.nupkg | ForEach-Object { Write-Host "Packed $($_.FullName)" }
