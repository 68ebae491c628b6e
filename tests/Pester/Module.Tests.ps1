# The module as a gallery and Get-Help present it: manifest fields, online help addresses, related links, aliases.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $manifestPath = Join-Path (Get-Module Mxfp4).ModuleBase 'Mxfp4.psd1'
    $repositoryBase = 'https://github.com/mxfp4/Mxfp4/blob/main/'
    $cmdlets = 'Get-SafetensorsHeader', 'Get-Mxfp4Tensor', 'ConvertFrom-Mxfp4', 'Invoke-Mxfp4MatVec', 'ConvertTo-Mxfp4',
        'Test-SafetensorsCheckpoint', 'Compare-SafetensorsCheckpoint'
}

Describe 'Module manifest' {
    It 'passes Test-ModuleManifest' {
        $manifest = Test-ModuleManifest $manifestPath -ErrorAction Stop
        $manifest.Name | Should -Be 'Mxfp4'
        ($manifest.ExportedCmdlets.Keys | Sort-Object) -join ',' | Should -Be (($cmdlets | Sort-Object) -join ',')
    }

    It 'names the project, its LICENSE file and its CHANGELOG' {
        $manifest = Test-ModuleManifest $manifestPath -ErrorAction Stop
        $manifest.ProjectUri | Should -Be 'https://github.com/mxfp4/Mxfp4'
        $manifest.LicenseUri | Should -Be "${repositoryBase}LICENSE"
        $manifest.ReleaseNotes | Should -Be "${repositoryBase}CHANGELOG.md"
        Test-Path (Join-Path $repo 'LICENSE') | Should -BeTrue
        Get-Content (Join-Path $repo 'LICENSE') -TotalCount 1 | Should -Be 'MIT License'
        Get-Content (Join-Path $repo 'CHANGELOG.md') -Raw | Should -Match '## \[Unreleased\]'
    }

    It 'is tagged for PowerShell 7 on the three operating systems' {
        $tags = (Test-ModuleManifest $manifestPath -ErrorAction Stop).Tags
        foreach ($tag in 'PSEdition_Core', 'Windows', 'Linux', 'MacOS') {
            $tags | Should -Contain $tag
        }
    }
}

Describe 'Online help' -ForEach @(
    @{ Name = 'Get-SafetensorsHeader' }, @{ Name = 'Get-Mxfp4Tensor' }, @{ Name = 'ConvertFrom-Mxfp4' }, @{ Name = 'Invoke-Mxfp4MatVec' },
    @{ Name = 'ConvertTo-Mxfp4' }, @{ Name = 'Test-SafetensorsCheckpoint' }, @{ Name = 'Compare-SafetensorsCheckpoint' }
) {
    BeforeAll {
        $page = "${repositoryBase}docs/en-US/$Name.md"
    }

    It '<Name> has a HelpUri to its page in the repository' {
        (Get-Command $Name).HelpUri | Should -Be $page
    }

    It '<Name> help page gives the same online version' {
        $frontMatter = Get-Content (Join-Path $repo 'docs' 'en-US' "$Name.md") -TotalCount 6
        $frontMatter | Should -Contain "online version: $page"
    }

    It '<Name> compiled help opens an absolute URI with Get-Help -Online' {
        $links = @((Get-Help $Name).relatedLinks.navigationLink)
        $online = $links | Where-Object { $_.uri } | Select-Object -First 1
        $online.uri | Should -Be $page
        [uri]::IsWellFormedUriString($online.uri, 'Absolute') | Should -BeTrue
    }

    It '<Name> related links name the other pages, without file names' {
        $links = @((Get-Help $Name).relatedLinks.navigationLink | Where-Object { -not $_.uri })
        $links.Count | Should -BeGreaterThan 0
        foreach ($link in $links) {
            $link.linkText | Should -Match '^(about_Mxfp4|[A-Z][a-z]+-[A-Za-z0-9]+)$'
        }
        $full = Get-Help $Name -Full | Out-String -Width 200
        $related = @(($full -split 'RELATED LINKS')[-1] -split '\r?\n' | ForEach-Object Trim | Where-Object Length)
        $related[0] | Should -Be "Online Version: $page"
        ($related | Select-Object -Skip 1) -join ',' | Should -Be ($links.linkText -join ',')
    }
}

Describe 'LiteralPath alias' -ForEach @(
    @{ Name = 'Get-SafetensorsHeader' }, @{ Name = 'Get-Mxfp4Tensor' }, @{ Name = 'ConvertFrom-Mxfp4' }, @{ Name = 'Invoke-Mxfp4MatVec' },
    @{ Name = 'ConvertTo-Mxfp4' }, @{ Name = 'Test-SafetensorsCheckpoint' }
) {
    It '<Name> -LiteralPath answers to PSPath and LP' {
        $aliases = (Get-Command $Name).Parameters['LiteralPath'].Aliases
        ($aliases | Sort-Object) -join ',' | Should -Be 'LP,PSPath'
    }
}

Describe 'LP' {
    It 'binds -LiteralPath' {
        (Get-Mxfp4Tensor -LP $sharded).Count | Should -Be 4
    }
}
