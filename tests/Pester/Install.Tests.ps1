BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $staged = (Get-Module Mxfp4).ModuleBase
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')

    # Runs a script in a fresh pwsh whose user folders (modules, PSResourceGet's repository list) live in $TestDrive,
    # so installing does not touch the real user's profile.
    function Invoke-IsolatedPwsh([string] $Script) {
        $saved = @{}
        $folders = @{ HOME = 'home'; LOCALAPPDATA = 'local'; USERPROFILE = 'home' }
        # Unset: pwsh would take its user module folder from XDG_DATA_HOME while PSResourceGet installs under HOME,
        # and the child computes its module path afresh from the new user folders.
        $unset = 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'PSModulePath'
        foreach ($name in @($folders.Keys) + $unset) {
            $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        }
        foreach ($name in $folders.Keys) {
            $folder = New-Item (Join-Path $TestDrive $folders[$name]) -ItemType Directory -Force
            [Environment]::SetEnvironmentVariable($name, $folder.FullName)
        }
        foreach ($name in $unset) { [Environment]::SetEnvironmentVariable($name, $null) }
        try {
            $output = & $pwsh -NoProfile -NonInteractive -Command $Script 2>&1
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output | ForEach-Object ToString) }
        }
        finally {
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }
}

Describe 'Installing the module as users install modules' {
    It 'installs with Install-PSResource from a local repository, then imports by name and shows help' {
        # The same command build.ps1 -Task Package runs: PSResourceGet makes the package from the staged manifest.
        $repository = New-Item (Join-Path $TestDrive 'repository') -ItemType Directory
        Compress-PSResource -Path $staged -DestinationPath $repository
        $package = Get-ChildItem $repository -Filter 'Mxfp4.*.nupkg'
        $package | Should -HaveCount 1

        $result = Invoke-IsolatedPwsh @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name Mxfp4Local -Uri '$($repository.FullName)' -Trusted
Install-PSResource -Name Mxfp4 -Repository Mxfp4Local -Scope CurrentUser -TrustRepository
Import-Module Mxfp4
'base=' + (Get-Module Mxfp4).ModuleBase
'version=' + (Get-Module Mxfp4).Version
'synopsis=' + (Get-Help ConvertFrom-Mxfp4).Synopsis
'cmdlets=' + (((Get-Command -Module Mxfp4).Name | Sort-Object) -join ',')
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $lines = $result.Output
        $lines | Where-Object { $_ -like 'base=*' } | Should -BeLike "base=$TestDrive*"
        $lines | Should -Contain "version=$((Import-PowerShellDataFile (Join-Path $repo 'Mxfp4.psd1')).ModuleVersion)"
        $lines | Where-Object { $_ -like 'synopsis=*' } | Should -BeLike 'synopsis=*MXFP4*'
        $exported = (Import-PowerShellDataFile (Join-Path $repo 'Mxfp4.psd1')).CmdletsToExport | Sort-Object
        $lines | Should -Contain ('cmdlets=' + ($exported -join ','))
    }
}
