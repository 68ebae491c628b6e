#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, documents and packages the Mxfp4 module.
.DESCRIPTION
    Build   - dotnet build: stages the importable module in output/Mxfp4/<version>/ (help included).
    Test    - dotnet test (engine, cmdlet and Pester files through the in-process host); then, where Pester 5 is
              installed, Invoke-Pester runs tests/Pester against the staged module as well.
    Docs    - compiles docs/en-US to MAML help with PlatyPS where it is installed, otherwise with the project's
              own generator (tools/Mxfp4.HelpGen), into the staged module.
    Package - a .nupkg of the staged module, as PowerShell galleries expect, in output/.
.EXAMPLE
    ./build.ps1
    Import-Module ./output/Mxfp4
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Docs', 'Package')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$manifest = Import-PowerShellDataFile (Join-Path $root 'Mxfp4.psd1')
$version = $manifest.ModuleVersion
$stage = Join-Path $root "output/Mxfp4/$version"

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' {
            Invoke-Dotnet build (Join-Path $root 'Mxfp4.sln') -c $Configuration
            Write-Host "Module staged in $stage"
        }
        'Test' {
            Invoke-Dotnet test (Join-Path $root 'Mxfp4.sln') -c $Configuration
            $pester = Get-Module -ListAvailable Pester | Where-Object Version -ge '5.0' | Sort-Object Version -Descending | Select-Object -First 1
            if ($pester) {
                Import-Module $pester
                $config = New-PesterConfiguration
                $config.Run.Path = Join-Path $root 'tests/Pester'
                $config.Run.Exit = $true
                $config.Output.Verbosity = 'Detailed'
                Invoke-Pester -Configuration $config
            }
            else {
                Write-Host 'Pester 5 is not installed: the Pester files ran through the in-process host only.'
            }
        }
        'Docs' {
            $platyPS = Get-Module -ListAvailable platyPS | Sort-Object Version -Descending | Select-Object -First 1
            $help = Join-Path $stage 'en-US'
            if ($platyPS) {
                Import-Module $platyPS
                New-ExternalHelp -Path (Join-Path $root 'docs/en-US') -OutputPath $help -Force | Out-Null
            }
            else {
                Invoke-Dotnet run --project (Join-Path $root 'tools/Mxfp4.HelpGen') -c $Configuration -- (Join-Path $root 'docs/en-US') $help
            }
            Write-Host "Help written to $help"
        }
        'Package' {
            Invoke-Dotnet build (Join-Path $root 'Mxfp4.sln') -c $Configuration
            Invoke-Dotnet pack (Join-Path $root 'tools/Mxfp4.Package/Mxfp4.Package.csproj') -c $Configuration
            Write-Host "Package written to $(Join-Path $root "output/Mxfp4.$version.nupkg")"
        }
    }
}
