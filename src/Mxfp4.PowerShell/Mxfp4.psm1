# The module's root: loads the cmdlets into the module's own AssemblyLoadContext (src/Mxfp4.Loader), so the engine's
# dependencies never meet another module's copies in pwsh's default context, then exports them from this module.
$loader = Join-Path $PSScriptRoot 'bin' 'Mxfp4.Loader.dll'
if (-not ('Mxfp4.Loader.ModuleLoadContext' -as [type])) {
    Add-Type -Path $loader
}

$importModule = Get-Command -Name Import-Module -Module Microsoft.PowerShell.Core
$inner = & $importModule -Assembly ([Mxfp4.Loader.ModuleLoadContext]::Initialize()) -PassThru

# Import-Module -Assembly of an assembly imported before returns the cached module without adding its cmdlets to
# this module's scope (PowerShell/PowerShell#20710), so a re-import would export nothing; add them explicitly.
$addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod('AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
foreach ($cmdlet in $inner.ExportedCmdlets.Values) {
    $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
}
