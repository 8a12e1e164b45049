# Loads the cmdlets. PowerShell 7: into a load context of their own (see src/FletSecret.Loader), so that another
# version of the module's assemblies loaded by other code first cannot break them, nor they it.
# Windows PowerShell 5.1: the netstandard2.0 build, directly.
if ($PSEdition -eq 'Core') {
    $loader = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($PSScriptRoot, 'bin', 'net8.0', 'FletSecret.Loader.dll'))
    $cmdlets = $loader.GetType('FletSecret.Loader.LoadContext').GetMethod('Initialize').Invoke($null, $null)
    $inner = Import-Module -Assembly $cmdlets -PassThru
}
else {
    $inner = Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'bin', 'netstandard2.0', 'FletSecret.dll')) -PassThru
}

# A script module does not pass on the cmdlets of a binary module it imports (PowerShell/PowerShell#20710):
# add them to this module's exports; CmdletsToExport in the manifest still decides what is public.
$addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
    'AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
foreach ($cmdlet in $inner.ExportedCmdlets.Values) {
    $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
}
