# -Path and -LiteralPath bind alike on every cmdlet that has them.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    function Get-ParameterAttribute([string] $Command, [string] $Parameter) {
        (Get-Command $Command).Parameters[$Parameter].Attributes | Where-Object { $_.GetType().Name -eq 'ParameterAttribute' }
    }
}

Describe '-Path and -LiteralPath binding' {
    BeforeDiscovery {
        $commands = @(
            'Get-SafetensorsHeader', 'Get-Mxfp4Tensor', 'ConvertFrom-Mxfp4', 'ConvertTo-Mxfp4', 'Invoke-Mxfp4MatVec',
            'Test-SafetensorsCheckpoint'
        ) | ForEach-Object { @{ Command = $_ } }
    }

    It '<Command> -Path binds strings from the pipeline' -ForEach $commands {
        $attribute = Get-ParameterAttribute $Command 'Path'
        @($attribute | Where-Object ValueFromPipeline).Count | Should -Be @($attribute).Count
        # By property name only where no record is piped in: records carry a Path (their shard) that must not bind here.
        $takesRecords = (Get-Command $Command).Parameters.ContainsKey('InputObject')
        @($attribute | Where-Object ValueFromPipelineByPropertyName).Count -gt 0 | Should -Be (-not $takesRecords)
    }

    It '<Command> -LiteralPath binds PSPath by property name, with the aliases PSPath and LP' -ForEach $commands {
        $parameter = (Get-Command $Command).Parameters['LiteralPath']
        $parameter.Aliases | Sort-Object | Should -Be @('LP', 'PSPath')
        @(Get-ParameterAttribute $Command 'LiteralPath' | Where-Object ValueFromPipelineByPropertyName).Count | Should -BeGreaterThan 0
    }

    It 'covers every cmdlet that has -Path' {
        @(Get-Command -Module Mxfp4 | Where-Object { $_.Parameters.ContainsKey('Path') }).Count | Should -Be 6
    }

    It 'a piped path multiplies the same weights as the tensor record' {
        $x = [float[]]::new(64)
        for ($i = 0; $i -lt 64; $i++) { $x[$i] = [float]($i % 7 - 3) }
        $name = 'model.layers.0.mlp.experts.down_proj'
        $byPath = $sharded | Invoke-Mxfp4MatVec -Name $name -Expert 1 -Vector $x
        $byRecord = Get-Mxfp4Tensor $sharded -Name $name | Invoke-Mxfp4MatVec -Expert 1 -Vector $x
        $byPath.Values | Should -HaveCount 64
        ($byPath.Values -join ',') | Should -Be ($byRecord.Values -join ',')
    }
}
