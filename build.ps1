#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, demonstrates and packages the Mxfp4 module.
.DESCRIPTION
    Build   - builds only the module and its help (tools/Mxfp4.HelpGen compiles docs/en-US to MAML, standing in for
              PlatyPS, which the package feed does not serve) and stages it in output/Mxfp4/<version>/;
              Test-ModuleManifest checks what was staged.
    Test    - Build, then the whole solution (bench and tools included), then `dotnet format --verify-no-changes`
              (the code as .editorconfig and dotnet format leave it; a difference is a failed run), then every
              test: the xunit projects (engine, help generator, cmdlets in a runspace of the full PowerShell
              engine), then tests/Pester under real Pester 5.7.1 in a child pwsh -NoProfile -NonInteractive.
              Results go to TestResults/ (TRX and NUnit XML); the last line is "N passed, N failed, N skipped" over
              both runners. Fails when any test or the format check fails.
    Demo    - Build, then samples/demo.ps1 in a fresh pwsh.
    Package - Build, then the staged module as a PowerShell Gallery package (.nupkg, made from the manifest by
              PSResourceGet) in output/.
    Clean   - removes output/, TestResults/ and every bin/ and obj/ folder.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1; Import-Module ./output/Mxfp4
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
if ([Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }
$root = $PSScriptRoot
$version = (Import-PowerShellDataFile (Join-Path $root 'Mxfp4.psd1')).ModuleVersion
$output = Join-Path $root 'output'
$stage = Join-Path $output 'Mxfp4' $version
$results = Join-Path $root 'TestResults'

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

# A fresh pwsh of the same installation: the executable beside the engine (a dotnet tool or an installed pwsh).
function Invoke-ChildPwsh {
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    & $pwsh -NoProfile -NonInteractive @args | Out-Host
    $LASTEXITCODE
}

function Invoke-Build {
    Invoke-Dotnet build (Join-Path $root 'src/Mxfp4.PowerShell/Mxfp4.PowerShell.csproj') -c $Configuration
    Invoke-Dotnet build (Join-Path $root 'tools/Mxfp4.HelpGen/Mxfp4.HelpGen.csproj') -c $Configuration
    $null = Test-ModuleManifest (Join-Path $stage 'Mxfp4.psd1')
    Write-Host "Module staged in $stage"
}

# Pester 5.7.1 comes from the NuGet package folder, where restoring the solution put it (PackageDownload).
function Get-PesterManifest {
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $manifest = Join-Path $packages.Trim() 'pester' '5.7.1' 'tools' 'Pester.psd1'
    if (-not (Test-Path $manifest)) { throw "Pester 5.7.1 was not restored to $manifest; run dotnet restore." }
    $manifest
}

function Get-TestCount([string] $Runner, [int] $Passed, [int] $Failed, [int] $Skipped) {
    [pscustomobject]@{ Runner = $Runner; Passed = $Passed; Failed = $Failed; Skipped = $Skipped }
}

function Invoke-Test {
    Invoke-Build
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    $counts = [System.Collections.Generic.List[object]]::new()
    $failedRuns = [System.Collections.Generic.List[string]]::new()

    # The whole solution first: dotnet test builds only the test projects and what they reference, and the bench and
    # the tools must not break unseen.
    Invoke-Dotnet build (Join-Path $root 'Mxfp4.sln') -c $Configuration

    # Formatting is checked like a test: it fails the run, and the tests still run so one run reports everything.
    & dotnet format (Join-Path $root 'Mxfp4.sln') --verify-no-changes --no-restore
    if ($LASTEXITCODE -ne 0) {
        $failedRuns.Add("dotnet format --verify-no-changes (exit code $LASTEXITCODE; run dotnet format Mxfp4.sln)")
    }

    & dotnet test (Join-Path $root 'Mxfp4.sln') -c $Configuration --no-build --logger trx --results-directory (Join-Path $results 'xunit')
    if ($LASTEXITCODE -ne 0) { $failedRuns.Add("dotnet test (exit code $LASTEXITCODE)") }
    foreach ($trx in Get-ChildItem (Join-Path $results 'xunit') -Filter *.trx -ErrorAction SilentlyContinue) {
        $run = ([xml](Get-Content $trx -Raw)).TestRun
        $counters = $run.ResultSummary.Counters
        # TRX counts a skipped test in total but in no outcome counter.
        $assembly = [System.IO.Path]::GetFileNameWithoutExtension(@($run.TestDefinitions.UnitTest)[0].storage)
        $counts.Add((Get-TestCount "xunit $assembly" $counters.passed $counters.failed ([int]$counters.total - [int]$counters.executed)))
    }

    $nunit = Join-Path $results 'pester.xml'
    $suite = Join-Path $root 'tests/Pester/Invoke-PesterSuite.ps1'
    $exit = Invoke-ChildPwsh -File $suite -PesterManifest (Get-PesterManifest) -ResultPath $nunit
    if ($exit -ne 0) { $failedRuns.Add("Pester (exit code $exit)") }
    if (Test-Path $nunit) {
        $summary = ([xml](Get-Content $nunit -Raw)).'test-results'
        $failed = [int]$summary.failures + [int]$summary.errors
        $skipped = [int]$summary.skipped + [int]$summary.ignored + [int]$summary.'not-run' + [int]$summary.inconclusive
        $counts.Add((Get-TestCount 'Pester' ([int]$summary.total - $failed - $skipped) $failed $skipped))
    }
    else {
        $failedRuns.Add('Pester wrote no results')
    }

    $counts | Format-Table -AutoSize | Out-Host
    $passed = ($counts | Measure-Object Passed -Sum).Sum
    $failed = ($counts | Measure-Object Failed -Sum).Sum
    $skipped = ($counts | Measure-Object Skipped -Sum).Sum
    foreach ($run in $failedRuns) { Write-Host "Failed: $run" }
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0 -or $failedRuns.Count -gt 0) { exit 1 }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Demo' {
            Invoke-Build
            $exit = Invoke-ChildPwsh -File (Join-Path $root 'samples/demo.ps1')
            if ($exit -ne 0) { throw "samples/demo.ps1 failed with exit code $exit." }
        }
        'Package' {
            Invoke-Build
            Compress-PSResource -Path $stage -DestinationPath $output
            Write-Host "Package written to $(Join-Path $output "Mxfp4.$version.nupkg")"
        }
        'Clean' {
            foreach ($folder in @($output, $results) + (Get-ChildItem $root -Directory -Recurse -Include bin, obj).FullName) {
                if (Test-Path $folder) { Remove-Item $folder -Recurse -Force }
            }
        }
        default { throw "Unknown task '$t'." }
    }
}
