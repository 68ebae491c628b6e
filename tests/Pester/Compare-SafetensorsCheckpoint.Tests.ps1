BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'SafetensorsFile.ps1')
    $sampleTensors = 29

    function New-SampleCopy {
        $copy = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        Copy-Item $sharded $copy -Recurse
        $copy
    }

    function Set-Bytes([string] $Path, [long] $Offset, [byte[]] $Bytes) {
        $stream = [System.IO.File]::Open($Path, 'Open', 'ReadWrite')
        try { $stream.Position = $Offset; $stream.Write($Bytes, 0, $Bytes.Length) } finally { $stream.Dispose() }
    }

    # BF16 element $Index of a stored tensor, as a double, from the file's bytes: the bits are float32's upper half.
    function Get-BFloat16([object] $Tensor, [long] $Index) {
        $bytes = [System.IO.File]::ReadAllBytes($Tensor.Path)
        $bits = [int][System.BitConverter]::ToUInt16($bytes, $Tensor.DataOffset + 2 * $Index)
        [double][System.BitConverter]::Int32BitsToSingle($bits -shl 16)
    }
}

Describe 'Compare-SafetensorsCheckpoint' {
    It 'finds the one tensor changed in an otherwise equal checkpoint, with its exact largest difference' {
        $copy = New-SampleCopy
        $tensor = Get-SafetensorsHeader $copy -Name 'model.layers.1.self_attn.o_proj.weight'
        $tensor.DType | Should -Be 'BF16'
        $old37 = Get-BFloat16 $tensor 37
        $old200 = Get-BFloat16 $tensor 200
        # 0x4049 is 3.140625 and 0xC100 is -8 in BF16; both far from the sample's small weights.
        Set-Bytes $tensor.Path ($tensor.DataOffset + 2 * 37) ([byte[]](0x49, 0x40))
        Set-Bytes $tensor.Path ($tensor.DataOffset + 2 * 200) ([byte[]](0x00, 0xC1))
        $d37 = [math]::Abs($old37 - 3.140625)
        $d200 = [math]::Abs($old200 - -8.0)
        $d37 | Should -BeGreaterThan 0
        $d200 | Should -BeGreaterThan $d37

        $records = Compare-SafetensorsCheckpoint $sharded $copy
        $records | Should -HaveCount $sampleTensors
        $changed = @($records | Where-Object { -not $_.Equal })
        $changed | Should -HaveCount 1
        $changed[0].Name | Should -Be $tensor.Name
        $changed[0].Status | Should -Be 'Compared'
        $changed[0].DifferentCount | Should -Be 2
        $changed[0].MaxAbsDiff | Should -Be $d200
        $changed[0].MaxRelDiff | Should -Be ([math]::Max($d37 / [math]::Max([math]::Abs($old37), 3.140625), $d200 / 8.0))
        $changed[0].RmsDiff | Should -BeLessThan ([math]::Sqrt(($d37 * $d37 + $d200 * $d200) / $tensor.ElementCount) * (1 + 1e-12))
        $changed[0].RmsDiff | Should -BeGreaterThan ([math]::Sqrt(($d37 * $d37 + $d200 * $d200) / $tensor.ElementCount) * (1 - 1e-12))
        $changed[0].WithinTolerance | Should -BeFalse
        ($records | Where-Object Name -ne $tensor.Name | Where-Object { $_.Status -ne 'Compared' -or $_.MaxAbsDiff -ne 0 }) |
            Should -BeNullOrEmpty
    }

    It 'judges -Tolerance against the largest absolute difference' {
        $copy = New-SampleCopy
        $tensor = Get-SafetensorsHeader $copy -Name 'model.norm.weight'
        $old = Get-BFloat16 $tensor 3
        Set-Bytes $tensor.Path ($tensor.DataOffset + 6) ([byte[]](0x00, 0x40))
        $difference = [math]::Abs($old - 2.0)
        (Compare-SafetensorsCheckpoint $sharded $copy -Name model.norm.weight -Tolerance $difference).WithinTolerance | Should -BeTrue
        (Compare-SafetensorsCheckpoint $sharded $copy -Name model.norm.weight -Tolerance ($difference * 0.999)).WithinTolerance |
            Should -BeFalse
    }

    It 'compares MXFP4 pairs on their decoded values: a scale raised by one doubles its 32 elements' {
        $copy = New-SampleCopy
        $pair = Get-Mxfp4Tensor $copy -Name 'model.layers.0.mlp.experts.down_proj'
        $group = 77
        $blocks = [System.IO.File]::ReadAllBytes($pair.Blocks.Path)
        $scale = [System.IO.File]::ReadAllBytes($pair.Scales.Path)[$pair.Scales.DataOffset + $group]
        $scale | Should -BeLessThan 254
        # E2M1 magnitudes of the group's 32 nibbles, from the spec: doubling the scale adds |v| * 2^(scale-127) to each.
        $magnitudes = 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0
        $nibbles = foreach ($i in 0..15) { $b = $blocks[$pair.Blocks.DataOffset + 16 * $group + $i]; $b -band 0x0F; $b -shr 4 }
        $values = foreach ($n in $nibbles) { $magnitudes[$n -band 7] }
        Set-Bytes $pair.Scales.Path ($pair.Scales.DataOffset + $group) ([byte[]]($scale + 1))

        $record = Compare-SafetensorsCheckpoint $sharded $copy -Name $pair.Name
        $record.ReferenceDType | Should -Be 'MXFP4'
        $record.DifferentCount | Should -Be @($values | Where-Object { $_ -ne 0 }).Count
        $record.MaxAbsDiff | Should -Be (($values | Measure-Object -Maximum).Maximum * [math]::Pow(2, $scale - 127))
        $record.MaxRelDiff | Should -Be 0.5
    }

    It 'reports tensors present on one side only' {
        $copy = New-SampleCopy
        $indexPath = Join-Path $copy 'model.safetensors.index.json'
        $index = Get-Content $indexPath -Raw | ConvertFrom-Json -AsHashtable
        $shard = Join-Path $copy $index.weight_map['model.norm.weight']
        Remove-SafetensorsTensor -Path $shard -Name 'model.norm.weight'
        $index.weight_map.Remove('model.norm.weight')
        $index | ConvertTo-Json -Depth 5 | Set-Content $indexPath

        $records = Compare-SafetensorsCheckpoint $sharded $copy
        $records | Should -HaveCount $sampleTensors
        $only = $records | Where-Object Name -eq 'model.norm.weight'
        $only.Status | Should -Be 'ReferenceOnly'
        $only.Equal | Should -BeFalse
        (Compare-SafetensorsCheckpoint $copy $sharded -Name 'model.norm.*').Status | Should -Be 'DifferenceOnly'
    }

    It 'finds every tensor of the converted sample equal to the original (Natural layout, F32 and BF16)' {
        foreach ($format in 'F32', 'BF16') {
            $destination = Join-Path $TestDrive "natural-$format"
            ConvertFrom-Mxfp4 -Path $sharded -Destination $destination -Format $format
            $records = Compare-SafetensorsCheckpoint $sharded $destination
            $records | Should -HaveCount $sampleTensors
            ($records | Where-Object { $_.Status -ne 'Compared' -or -not $_.Equal -or -not $_.WithinTolerance }).Name |
                Should -BeNullOrEmpty
            ($records | Where-Object ReferenceDType -eq 'MXFP4').DifferenceDType | Sort-Object -Unique | Should -Be $format
        }
    }

    It 'finds every tensor of the Transformers-layout conversion equal with -DifferenceLayout Transformers' {
        $destination = Join-Path $TestDrive 'transformers'
        ConvertFrom-Mxfp4 -Path $sharded -Destination $destination -Layout Transformers
        $records = Compare-SafetensorsCheckpoint $sharded $destination -DifferenceLayout Transformers
        $records | Should -HaveCount $sampleTensors
        ($records | Where-Object { -not $_.Equal }).Name | Should -BeNullOrEmpty
        $experts = $records | Where-Object Transposed
        $experts | Should -HaveCount 4
        ($experts | Where-Object Name -eq 'model.layers.0.mlp.experts.gate_up_proj').DifferenceShape | Should -Be @(4, 64, 128)

        # Read as Natural, the transposed experts do not line up: other shapes, or the same square shape with other values.
        $natural = Compare-SafetensorsCheckpoint $sharded $destination -Name '*.mlp.experts.*_proj'
        ($natural | Where-Object Name -like '*gate_up_proj').Status | Sort-Object -Unique | Should -Be 'ShapeMismatch'
        ($natural | Where-Object Name -like '*down_proj').Equal | Sort-Object -Unique | Should -Be $false
    }

    It 'reports a checkpoint that cannot be opened with the reader''s error id' {
        $null = Compare-SafetensorsCheckpoint $sharded (Join-Path $TestDrive 'missing') -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be 'PathNotFound,Mxfp4.PowerShell.Commands.CompareSafetensorsCheckpointCommand'
    }
}
