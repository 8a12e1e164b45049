@{
    # The module version lives here and only here: build.ps1 reads it and passes it to dotnet as -p:Version.
    ModuleVersion        = '0.3.0'
    GUID                 = '7c5011b3-b373-4d77-a34e-31d242c313f0'

    # One netstandard2.0 cmdlet assembly for both editions; it loads the cipher build for the runtime from bin/.
    RootModule           = 'FletSecret.dll'

    Author               = 'FletSecret contributors'
    CompanyName          = 'FletSecret'
    Copyright            = '(c) 2026 FletSecret contributors. MIT License.'
    Description          = 'Encrypt and decrypt the secrets of Flet apps from PowerShell: Protect-FletString and Unprotect-FletString make and read exactly the tokens of flet.security.encrypt/decrypt (Fernet under a PBKDF2-HMAC-SHA256 key), with keys from SecureString, an environment variable or a secret file.'
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    CompatiblePSEditions = @('Desktop', 'Core')

    CmdletsToExport      = @('Protect-FletString', 'Unprotect-FletString', 'Get-FletTokenInfo', 'New-FletSecretKey', 'Update-FletString')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()

    # How Get-FletTokenInfo's objects read in a list (the default) and a table.
    FormatsToProcess     = @('FletSecret.Format.ps1xml')

    PrivateData          = @{
        PSData = @{
            Tags         = @('PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS', 'Flet', 'Fernet', 'Encryption', 'Security')
            LicenseUri   = 'https://github.com/fletsecret/FletSecret/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/fletsecret/FletSecret'
            # build.ps1 fills this from CHANGELOG.md.
            ReleaseNotes = 'See CHANGELOG.md'
        }
    }
}
