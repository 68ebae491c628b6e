# -Name completion as a user gets it: TabExpansion2 on a typed command line. The typed path is resolved the way the
# command will resolve it (pwsh's location, PSDrives, ~), never against the process's current directory.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    function Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText)
    }

    $layer1 = @(
        'model.layers.1.mlp.experts.down_proj'
        'model.layers.1.mlp.experts.down_proj_bias'
        'model.layers.1.mlp.experts.down_proj_blocks'
        'model.layers.1.mlp.experts.down_proj_scales'
    ) -join ','
    $mlp1 = 'block.0.mlp.mlp1_bias,block.0.mlp.mlp1_weight,block.0.mlp.mlp1_weight.blocks,block.0.mlp.mlp1_weight.scales'
}

Describe 'TensorNameCompleter' {
    BeforeEach {
        Push-Location
        $processDirectory = [Environment]::CurrentDirectory
    }

    AfterEach {
        Pop-Location
        [Environment]::CurrentDirectory = $processDirectory
    }

    It 'completes a path relative to the location Set-Location moved to' {
        Set-Location $samples
        [Environment]::CurrentDirectory = $TestDrive   # nothing named gpt-oss-tiny there
        (Get-Completion 'Get-Mxfp4Tensor ./gpt-oss-tiny -Name model.layers.1.mlp.experts.down') -join ',' | Should -Be $layer1
    }

    It 'completes a -LiteralPath on a PSDrive' {
        $null = New-PSDrive -Name Mxfp4Samples -PSProvider FileSystem -Root $samples -Scope Global
        try {
            (Get-Completion 'Get-SafetensorsHeader -LiteralPath Mxfp4Samples:/gpt-oss-tiny-original -Name block.0.mlp.mlp1') -join ',' |
                Should -Be $mlp1
        }
        finally {
            Remove-PSDrive Mxfp4Samples -Scope Global
        }
    }

    It 'completes a path under ~' {
        Copy-Item $original (Join-Path $TestDrive 'home' 'tiny') -Recurse -Force -ErrorAction Stop
        $fileSystem = Get-PSProvider FileSystem
        $savedHome = $fileSystem.Home
        $fileSystem.Home = Join-Path $TestDrive 'home'
        try {
            (Get-Completion 'Invoke-Mxfp4MatVec -Path ~/tiny -Name block.0.mlp.mlp1') -join ',' | Should -Be $mlp1
        }
        finally {
            $fileSystem.Home = $savedHome
        }
    }

    It 'completes a wildcard -Path by its first match' {
        Set-Location $samples
        (Get-Completion 'Get-Mxfp4Tensor ./gpt-oss-tiny-orig* -Name block.0.mlp.mlp1') -join ',' | Should -Be $mlp1
    }

    It 'offers nothing for a path on another provider' {
        Get-Completion 'Get-Mxfp4Tensor -LiteralPath Env:/PATH -Name b' | Should -BeNullOrEmpty
    }
}
