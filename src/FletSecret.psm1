# Loads the cmdlets.
# PowerShell 7: into an AssemblyLoadContext of the module's own. FletSecret.Cipher is loaded into it first, so the
# cmdlets bind to this copy: another version loaded by other code (a C# script using the FletSecret.Cipher package,
# say) can neither break the module nor be broken by it. PowerShell itself still comes from the default context.
# Windows PowerShell 5.1 (no load contexts): the netstandard2.0 build, directly.
if ($PSEdition -eq 'Core') {
    # Paths as plain strings ('/' works on Windows too): each first .NET method call from script costs startup time.
    $context = [System.Runtime.Loader.AssemblyLoadContext]::new('FletSecret', $false)
    $null = $context.LoadFromAssemblyPath("$PSScriptRoot/bin/net8.0/FletSecret.Cipher.dll")
    Import-Module -Assembly $context.LoadFromAssemblyPath("$PSScriptRoot/bin/net8.0/FletSecret.dll")
}
else {
    Import-Module -Name "$PSScriptRoot/bin/netstandard2.0/FletSecret.dll"
}

# The cmdlets of the binary module imported above become this module's; the manifest lists the same three.
Export-ModuleMember -Cmdlet Protect-FletString, Unprotect-FletString, Get-FletTokenInfo
