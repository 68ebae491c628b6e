<#
    Runs one Pester 5 test file with the PesterCompat stand-in and returns a PesterCompat.ContainerResult.
    It is a script, not a module function, so the test file and every block and test scope live in the caller's
    session state (as under Invoke-Pester), while Describe, It and Should come from the PesterCompat module.
#>
param(
    [Parameter(Mandatory = $true)] [string] $PesterCompatTestPath
)

Import-Module ([System.IO.Path]::Combine($PSScriptRoot, 'PesterCompat.psm1'))

Invoke-PesterCompatContainer -Path $PesterCompatTestPath `
    -Discover { $null = & $PesterCompatTestPath } `
    -TestScope { param($__pcThen) & $__pcThen } `
    -TestSessionState $ExecutionContext.SessionState
