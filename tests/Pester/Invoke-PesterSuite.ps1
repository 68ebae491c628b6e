<#
.SYNOPSIS
    Runs every tests/Pester/*.Tests.ps1 file under the given Pester module, writing NUnit XML results.
.DESCRIPTION
    build.ps1 -Task Test starts this in a child pwsh -NoProfile -NonInteractive, so the tests see the module as a
    new session sees it and nothing leaks into the caller's session. Exits with Pester's exit code (the number of
    failed tests, or non-zero when a file could not run).
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ResultPath
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest -Force
$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.Exit = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.Output.CIFormat = 'None'
if ([Console]::IsOutputRedirected) { $configuration.Output.RenderMode = 'Plaintext' }
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = $ResultPath
Invoke-Pester -Configuration $configuration
