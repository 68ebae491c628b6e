BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
}

Describe 'Get-Mxfp4Tensor' {
    It 'pairs blocks and scales in <Style> naming' -ForEach @(
        @{ Style = 'HuggingFace'; Folder = 'gpt-oss-tiny'; GateUp = 'model.layers.0.mlp.experts.gate_up_proj';
            Down = 'model.layers.0.mlp.experts.down_proj' }
        @{ Style = 'GptOss'; Folder = 'gpt-oss-tiny-original'; GateUp = 'block.0.mlp.mlp1_weight'; Down = 'block.0.mlp.mlp2_weight' }
    ) {
        $tensors = Get-Mxfp4Tensor (Join-Path $samples $Folder)
        $tensors | Should -HaveCount 4
        $gateUp = $tensors | Where-Object Name -eq $GateUp
        $gateUp.Shape | Should -Be @(4, 128, 64)
        $gateUp.ElementCount | Should -Be (4 * 128 * 64)
        $gateUp.NamingStyle | Should -Be $Style
        ($tensors | Where-Object Name -eq $Down).Shape | Should -Be @(4, 64, 64)
    }

    It 'pairs a layer whose blocks and scales sit in different shards' {
        $layer1 = Get-Mxfp4Tensor $sharded -Name '*layers.1.mlp.experts.gate_up_proj'
        (Split-Path $layer1.Blocks.Path -Leaf) | Should -Be 'model-00001-of-00002.safetensors'
        (Split-Path $layer1.Scales.Path -Leaf) | Should -Be 'model-00002-of-00002.safetensors'
    }

    It 'takes TensorInfo records from Get-SafetensorsHeader through the pipeline' {
        $pairs = Get-SafetensorsHeader $sharded | Where-Object Name -like '*layers.1*' | Get-Mxfp4Tensor
        $pairs | Should -HaveCount 2
        $pairs.Name | Should -Contain 'model.layers.1.mlp.experts.down_proj'
    }

    It 'reports blocks without their scales as ScalesMissing' {
        $result = Get-SafetensorsHeader $sharded -Name '*layers.0*gate_up_proj_blocks' |
            Get-Mxfp4Tensor -ErrorVariable failures -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -Be 'ScalesMissing,Mxfp4.PowerShell.Commands.GetMxfp4TensorCommand'
        $failures[0].Exception.Message | Should -BeLike '*gate_up_proj_scales*'
    }

    It 'reports scales without their blocks as BlocksMissing' {
        Get-SafetensorsHeader $sharded -Name '*layers.0*down_proj_scales' |
            Get-Mxfp4Tensor -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -Be 'BlocksMissing,Mxfp4.PowerShell.Commands.GetMxfp4TensorCommand'
    }

    It 'filters pairs by their logical name' {
        (Get-Mxfp4Tensor $original -Name '*mlp2*').Name | Should -Be @('block.0.mlp.mlp2_weight', 'block.1.mlp.mlp2_weight')
    }
}
