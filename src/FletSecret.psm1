# Loads the cmdlets.
# PowerShell 7: into an AssemblyLoadContext of the module's own. FletSecret.Cipher is loaded into it first, so the
# cmdlets bind to this copy: another version loaded by other code (a C# script using the FletSecret.Cipher package,
# say) can neither break the module nor be broken by it. PowerShell itself still comes from the default context.
# The context is made once per process and module folder: PowerShell caches cmdlet metadata process-wide, so a
# second copy of the cmdlets (from another runspace, ForEach-Object -Parallel, or Import-Module -Force) would clash.
# Windows PowerShell 5.1 (no load contexts): the netstandard2.0 build, directly.
if ($PSEdition -eq 'Core') {
    $domain = [System.AppDomain]::CurrentDomain
    $slot = "FletSecret.Cmdlets|$PSScriptRoot"
    [System.Threading.Monitor]::Enter($domain)
    try {
        $cmdlets = $domain.GetData($slot)
        if (-not $cmdlets) {
            # Paths as plain strings ('/' works on Windows too): each first .NET call from script costs start-up time.
            $context = [System.Runtime.Loader.AssemblyLoadContext]::new('FletSecret', $false)
            $null = $context.LoadFromAssemblyPath("$PSScriptRoot/bin/net8.0/FletSecret.Cipher.dll")
            $cmdlets = $context.LoadFromAssemblyPath("$PSScriptRoot/bin/net8.0/FletSecret.dll")
            $domain.SetData($slot, $cmdlets)
        }
    }
    finally {
        [System.Threading.Monitor]::Exit($domain)
    }
    $inner = Import-Module -Assembly $cmdlets -PassThru
}
else {
    $inner = Import-Module -Name "$PSScriptRoot/bin/netstandard2.0/FletSecret.dll" -PassThru
}

# The cmdlets of the binary module imported above become this module's (the manifest lists the same three).
Export-ModuleMember -Cmdlet Protect-FletString, Unprotect-FletString, Get-FletTokenInfo
# Imported again (-Force, or after Remove-Module), PowerShell reuses the binary module of the same assembly without
# putting its cmdlets into this scope, so Export-ModuleMember finds none: add them to the exports directly.
if (-not $ExecutionContext.SessionState.InvokeCommand.GetCmdlet('Protect-FletString')) {
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
        'AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($cmdlet in $inner.ExportedCmdlets.Values) {
        $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
    }
}
