# The packages build.ps1 -Task Package makes (out/packages), used as a user would: installed, not from the build folder.
BeforeDiscovery {
    $script:Desktop = $PSEdition -ne 'Core'
}

BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:Version = (Import-PowerShellDataFile -LiteralPath (Join-Path $RepoRoot 'FletSecret.psd1')).ModuleVersion
    $script:Packages = Join-Path $RepoRoot 'out/packages'
    $script:ModuleNupkg = Join-Path $Packages "FletSecret.$Version.nupkg"
    $script:CipherNupkg = Join-Path $Packages "FletSecret.Cipher.$Version.nupkg"
    if (-not (Test-Path -LiteralPath $ModuleNupkg)) { throw "Package first: ./build.ps1 -Task Package (no $ModuleNupkg)." }
    $script:Vector = $FletVectors | Where-Object iterations -EQ 100000 | Select-Object -First 1

    function Get-NupkgEntries([string] $Path) {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($Path)
        try { $zip.Entries.FullName | Where-Object { $_ -notmatch '^(_rels/|package/|\[Content_Types\])' } | Sort-Object }
        finally { $zip.Dispose() }
    }
}

Describe 'The FletSecret module package' {
    It 'holds the manifest, the cmdlets, the cipher for each runtime, the format file, the help, LICENSE and CHANGELOG, and nothing else' {
        Get-NupkgEntries $ModuleNupkg | Should -Be @(
            'bin/net8.0/FletSecret.Module.Cipher.dll', 'bin/netstandard2.0/FletSecret.Module.Cipher.dll',
            'CHANGELOG.md', 'en-US/about_FletSecret.help.txt', 'en-US/FletSecret.dll-Help.xml',
            'FletSecret.dll', 'FletSecret.Format.ps1xml', 'FletSecret.nuspec', 'FletSecret.psd1', 'LICENSE') | Sort-Object
    }

    It 'has a manifest that passes Test-ModuleManifest with the Gallery metadata' {
        $manifest = Test-ModuleManifest -Path (Join-Path $RepoRoot 'out/FletSecret/FletSecret.psd1')
        $manifest.Version | Should -Be ([version]$Version)
        $manifest.CompatiblePSEditions | Should -Be 'Desktop', 'Core'
        $manifest.ExportedCmdlets.Keys | Sort-Object | Should -Be 'Get-FletTokenInfo', 'New-FletSecretKey', 'Protect-FletString', 'Unprotect-FletString', 'Update-FletString'
        $manifest.PrivateData.PSData.Tags | Sort-Object | Should -Be ('Encryption', 'Fernet', 'Flet', 'Linux', 'MacOS', 'PSEdition_Core', 'PSEdition_Desktop', 'Security', 'Windows' | Sort-Object)
        $manifest.LicenseUri | Should -Not -BeNullOrEmpty
        $manifest.ProjectUri | Should -Not -BeNullOrEmpty
        $manifest.ReleaseNotes | Should -Match ([regex]::Escape("v$Version"))
    }

    It 'installs from a local repository into a fresh, isolated pwsh, imports by name, works, shows help and uninstalls' -Skip:$Desktop {
        $isolatedHome = Join-Path $TestDrive 'home'
        # The folders must exist: .NET answers "" for a special folder that does not, and PSResourceGet would then
        # write its repository list into the working directory.
        foreach ($folder in '.local/share', '.config', '.cache') { $null = New-Item -ItemType Directory -Force -Path (Join-Path $isolatedHome $folder) }
        $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name FletSecretLocal -Uri '$Packages' -Trusted
Install-PSResource -Name FletSecret -Repository FletSecretLocal -Scope CurrentUser -TrustRepository -Quiet
Import-Module FletSecret
`$module = Get-Module FletSecret
'base=' + `$module.ModuleBase
'version=' + `$module.Version
`$key = ConvertTo-SecureString -String 'package test key' -AsPlainText -Force
'roundtrip=' + ('from the package' | Protect-FletString -Key `$key -Iterations 1000 | Unprotect-FletString -Key `$key -Iterations 1000)
'synopsis=' + (Get-Help Protect-FletString).Synopsis
Remove-Module FletSecret
Uninstall-PSResource -Name FletSecret -Scope CurrentUser
'after=' + @(Get-Module -ListAvailable FletSecret).Count
"@
        # A home of its own: the user's modules and PSResourceGet's repository list are not touched.
        $child = Invoke-ChildPwsh -Script $script -Environment @{ HOME = $isolatedHome; XDG_DATA_HOME = (Join-Path $isolatedHome '.local/share'); XDG_CONFIG_HOME = (Join-Path $isolatedHome '.config'); XDG_CACHE_HOME = (Join-Path $isolatedHome '.cache') }
        $child.Error | Should -BeNullOrEmpty
        $lines = @{}
        foreach ($line in $child.Output -split "`r?`n" | Where-Object { $_ -match '^\w+=' }) { $name, $value = $line -split '=', 2; $lines[$name] = $value }
        $lines.base | Should -BeLike "$isolatedHome*"
        $lines.version | Should -Be $Version
        $lines.roundtrip | Should -Be 'from the package'
        $lines.synopsis | Should -Match 'Flet'
        $lines.after | Should -Be '0'
        Test-Path -LiteralPath (Join-Path $isolatedHome '.local/share/PSResourceGet/PSResourceRepository.xml') | Should -BeTrue
    }
}

Describe 'The FletSecret.Cipher package' {
    It 'holds both builds, their XML docs and the README' {
        Get-NupkgEntries $CipherNupkg | Should -Be @(
            'FletSecret.Cipher.nuspec', 'lib/net8.0/FletSecret.Cipher.dll', 'lib/net8.0/FletSecret.Cipher.xml',
            'lib/netstandard2.0/FletSecret.Cipher.dll', 'lib/netstandard2.0/FletSecret.Cipher.xml', 'README.md') | Sort-Object
    }

    It 'restores into a C# console project from out/packages and decrypts a Flet vector' {
        # A copy of the consumer whose only package source is out/packages, restored into a package folder of its own
        # so that no cached FletSecret.Cipher of the same version stands in for the one just built.
        $consumer = Join-Path $TestDrive 'consumer'
        Copy-Item -LiteralPath (Join-Path $RepoRoot 'tests/PackageConsumer') -Destination $consumer -Recurse
        Copy-Item -LiteralPath (Join-Path $RepoRoot 'Directory.Build.props') -Destination $TestDrive
        (Get-Content -Raw -LiteralPath "$consumer/nuget.config").Replace('../../out/packages', $Packages) | Set-Content -LiteralPath "$consumer/nuget.config"
        $restored = Join-Path $TestDrive 'nuget-packages'
        $build = Join-Path $TestDrive 'consumer-bin'
        $output = & dotnet build "$consumer/PackageConsumer.csproj" --nologo -v quiet -o $build "-p:FletSecretVersion=$Version" "-p:RestorePackagesPath=$restored" 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        Test-Path -LiteralPath (Join-Path $restored "fletsecret.cipher/$Version") | Should -BeTrue
        $request = @{ secret = $Vector.secret; token = $Vector.token; iterations = $Vector.iterations } | ConvertTo-Json -Compress
        $answer = $request | & dotnet (Join-Path $build 'PackageConsumer.dll') | ConvertFrom-Json
        $answer.plaintext | Should -BeExactly $Vector.plaintext
        $secure = ConvertTo-SecureString -String $Vector.secret -AsPlainText -Force
        Unprotect-FletString $answer.token -Key $secure -Iterations $Vector.iterations | Should -BeExactly $Vector.plaintext
    }
}

Describe 'Assembly isolation on PowerShell 7' -Skip:$Desktop {
    BeforeAll {
        # Other versions of FletSecret.Cipher, as a C# script or another module might load them: one older, one newer
        # (a newer one is what the runtime would bind to if the cmdlets asked for FletSecret.Cipher by name).
        $source = Join-Path $TestDrive 'other-source'
        $null = New-Item -ItemType Directory -Path "$source/FletSecret.Cipher"
        Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'src/FletSecret.Cipher') -File | Copy-Item -Destination "$source/FletSecret.Cipher"
        Copy-Item -LiteralPath (Join-Path $RepoRoot 'Directory.Build.props') -Destination $source
        $script:OtherCipher = @{}
        foreach ($otherVersion in '0.0.1', '99.0.0') {
            $OtherCipher[$otherVersion] = Join-Path $TestDrive "cipher-$otherVersion"
            $output = & dotnet build "$source/FletSecret.Cipher/FletSecret.Cipher.csproj" --nologo -v quiet -f net8.0 -o $OtherCipher[$otherVersion] "-p:Version=$otherVersion" 2>&1
            if ($LASTEXITCODE -ne 0) { throw "Building FletSecret.Cipher $otherVersion failed: $output" }
        }
    }

    It 'works, with its own cipher, when FletSecret.Cipher <OtherVersion> was loaded first' -ForEach @(
        @{ OtherVersion = '0.0.1' }, @{ OtherVersion = '99.0.0' }) {
        $script = @"
`$other = Add-Type -Path '$($OtherCipher[$OtherVersion])/FletSecret.Cipher.dll' -PassThru | Select-Object -First 1
'first=' + `$other.Assembly.GetName().Version
Import-Module '$ModuleManifest'
`$key = ConvertTo-SecureString -String 'isolation key' -AsPlainText -Force
'roundtrip=' + ('isolated' | Protect-FletString -Key `$key -Iterations 1000 | Unprotect-FletString -Key `$key -Iterations 1000)
`$module = Get-Module FletSecret
foreach (`$assembly in [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -like 'FletSecret.*' }) {
    'loaded=' + `$assembly.GetName().Name + ' ' + `$assembly.GetName().Version + ' ' + `$assembly.Location.Replace(`$module.ModuleBase, '<module>').Replace('\', '/')
}
"@
        $child = Invoke-ChildPwsh -Script $script
        $child.Error | Should -BeNullOrEmpty
        $child.Output | Should -Match ([regex]::Escape("first=$OtherVersion.0"))
        $child.Output | Should -Match 'roundtrip=isolated'
        $child.Output | Should -Match ([regex]::Escape("loaded=FletSecret.Module.Cipher $Version.0 <module>/bin/net8.0/FletSecret.Module.Cipher.dll"))
        [regex]::Matches($child.Output, 'loaded=FletSecret\.Cipher ').Count | Should -Be 1
    }

    It 'leaves another version of FletSecret.Cipher, loaded after it, working' {
        $script = @"
Import-Module '$ModuleManifest'
`$key = ConvertTo-SecureString -String 'isolation key' -AsPlainText -Force
`$null = 'warm' | Protect-FletString -Key `$key -Iterations 10
`$old = (Add-Type -Path '$($OtherCipher['0.0.1'])/FletSecret.Cipher.dll' -PassThru | Where-Object Name -EQ 'FletSecurity').Assembly
'loaded=' + `$old.GetName().Version
`$security = `$old.GetType('FletSecret.Cipher.FletSecurity')
`$token = `$security.GetMethod('Encrypt').Invoke(`$null, @('other code', 'isolation key', 10))
'module=' + (Unprotect-FletString `$token -Key `$key -Iterations 10)
"@
        $child = Invoke-ChildPwsh -Script $script
        $child.Error | Should -BeNullOrEmpty
        $child.Output | Should -Match 'loaded=0\.0\.1'
        $child.Output | Should -Match 'module=other code'
    }
}

Describe 'Importing the module more than once in a process' -Skip:$Desktop {
    It 'works after Import-Module -Force, after Remove-Module, and in ForEach-Object -Parallel runspaces' {
        $script = @"
`$key = ConvertTo-SecureString -String 'reimport key' -AsPlainText -Force
Import-Module '$ModuleManifest'
'first=' + ('one' | Protect-FletString -Key `$key -Iterations 10 | Unprotect-FletString -Key `$key -Iterations 10)
Import-Module '$ModuleManifest' -Force
'force=' + ('two' | Protect-FletString -Key `$key -Iterations 10 | Unprotect-FletString -Key `$key -Iterations 10)
Remove-Module FletSecret
Import-Module '$ModuleManifest'
'again=' + ('three' | Protect-FletString -Key `$key -Iterations 10 | Unprotect-FletString -Key `$key -Iterations 10)
`$parallel = 1..4 | ForEach-Object -ThrottleLimit 4 -Parallel {
    Import-Module '$ModuleManifest'
    `$key = ConvertTo-SecureString -String 'reimport key' -AsPlainText -Force
    "p`$_" | Protect-FletString -Key `$key -Iterations 10 | Unprotect-FletString -Key `$key -Iterations 10
}
'parallel=' + ((`$parallel | Sort-Object) -join ',')
'ciphers=' + @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'FletSecret.Module.Cipher' }).Count
"@
        $child = Invoke-ChildPwsh -Script $script
        $child.Error | Should -BeNullOrEmpty
        $child.Output | Should -Match 'first=one'
        $child.Output | Should -Match 'force=two'
        $child.Output | Should -Match 'again=three'
        $child.Output | Should -Match 'parallel=p1,p2,p3,p4'
        $child.Output | Should -Match 'ciphers=1'
    }
}
