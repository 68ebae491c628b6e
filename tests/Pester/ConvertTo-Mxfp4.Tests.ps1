BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    # The raw bytes of a tensor, read independently of the module.
    function Get-TensorBytes($Tensor) {
        $bytes = [System.IO.File]::ReadAllBytes($Tensor.Path)
        [byte[]] $bytes[$Tensor.DataOffset..($Tensor.DataOffset + $Tensor.ByteLength - 1)]
    }

    # A one-tensor F32 safetensors file written by hand, from the format's definition.
    function New-F32File([string] $Path, [string] $Name, [float[]] $Values, [long[]] $Shape) {
        $json = '{"' + $Name + '":{"dtype":"F32","shape":[' + ($Shape -join ',') + '],"data_offsets":[0,' + (4 * $Values.Length) + ']}}'
        $header = [System.Text.Encoding]::UTF8.GetBytes($json)
        $stream = [System.IO.File]::Create($Path)
        try {
            $stream.Write([System.BitConverter]::GetBytes([uint64]$header.Length), 0, 8)
            $stream.Write($header, 0, $header.Length)
            foreach ($v in $Values) { $stream.Write([System.BitConverter]::GetBytes($v), 0, 4) }
        } finally { $stream.Dispose() }
    }

    # Decodes an MXFP4 pair from raw bytes by the spec (E2M1 nibbles times 2^(s-127)), as float32 bit patterns.
    function Get-ReferenceBits([byte[]] $Blocks, [byte[]] $Scales) {
        $values = 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0
        $bits = [uint32[]]::new($Scales.Length * 32)
        for ($i = 0; $i -lt $bits.Length; $i++) {
            $byte = $Blocks[[math]::Floor($i / 2)]
            $nibble = if ($i % 2 -eq 0) { $byte -band 0x0F } else { $byte -shr 4 }
            $scale = $Scales[[math]::Floor($i / 32)]
            $bits[$i] = [System.BitConverter]::SingleToUInt32Bits([float]($values[$nibble] * [math]::Pow(2, $scale - 127)))
        }
        , $bits
    }
}

Describe 'ConvertTo-Mxfp4' {
    Context 'tensors from the pipeline' {
        It 'encodes a BF16 tensor into blocks and scales with error statistics' {
            $q = Get-SafetensorsHeader $sharded -Name 'model.layers.0.self_attn.q_proj.weight'
            $r = $q | ConvertTo-Mxfp4
            $r.Name | Should -Be 'model.layers.0.self_attn.q_proj.weight'
            $r.BlocksName | Should -Be 'model.layers.0.self_attn.q_proj.weight_blocks'
            $r.ScalesName | Should -Be 'model.layers.0.self_attn.q_proj.weight_scales'
            $r.ScaleRule | Should -Be 'Up'
            ($r.BlocksShape -join ',') | Should -Be '64,2,16'
            ($r.ScalesShape -join ',') | Should -Be '64,2'
            $r.Blocks.Length | Should -Be 2048
            $r.Scales.Length | Should -Be 128
            $r.SaturatedElements | Should -Be 0
            $r.NonFiniteBlocks | Should -Be 0

            # The statistics against values computed here from the input bytes and a decoding written from the spec.
            $input = Get-TensorBytes $q
            $decoded = Get-ReferenceBits $r.Blocks $r.Scales
            $max = 0.0; $sumError = 0.0; $sumInput = 0.0
            for ($i = 0; $i -lt 4096; $i++) {
                $x = [double][System.BitConverter]::UInt32BitsToSingle([uint32][System.BitConverter]::ToUInt16($input, 2 * $i) -shl 16)
                $d = [double][System.BitConverter]::UInt32BitsToSingle($decoded[$i])
                $max = [math]::Max($max, [math]::Abs($x - $d)); $sumError += ($x - $d) * ($x - $d); $sumInput += $x * $x
            }
            $r.MaxAbsError | Should -Be $max
            $r.RelativeRmsError | Should -BeLessThan ([math]::Sqrt($sumError / $sumInput) * (1 + 1e-9))
            $r.RelativeRmsError | Should -BeGreaterThan ([math]::Sqrt($sumError / $sumInput) * (1 - 1e-9))
            $r.RelativeRmsError | Should -BeGreaterThan 0
        }

        It 'counts saturated elements only under the Ocp rule' {
            $path = Join-Path $TestDrive 'seven.safetensors'
            New-F32File $path 'w' ([float[]](@(7.0) + @(1.0) * 31)) @(32)
            $up = Get-SafetensorsHeader $path | ConvertTo-Mxfp4
            $ocp = Get-SafetensorsHeader $path | ConvertTo-Mxfp4 -ScaleRule Ocp
            $up.Scales[0] | Should -Be 128
            $up.SaturatedElements | Should -Be 0
            $ocp.Scales[0] | Should -Be 127
            $ocp.SaturatedElements | Should -Be 1
            $ocp.MaxAbsError | Should -Be 1
        }

        It 'writes NaN blocks as scale 255 with a warning naming the tensor' {
            $path = Join-Path $TestDrive 'nan.safetensors'
            New-F32File $path 'bad' ([float[]](@(1.0) * 32 + @([float]::NaN) + @(2.0) * 31)) @(64)
            $r = Get-SafetensorsHeader $path | ConvertTo-Mxfp4 -WarningVariable warnings -WarningAction SilentlyContinue
            $r.NonFiniteBlocks | Should -Be 1
            ($r.Scales -join ',') | Should -Be '125,255'
            ($r.Blocks[16..31] | Where-Object { $_ -ne 0 }) | Should -BeNullOrEmpty
            $warnings | Should -HaveCount 1
            "$($warnings[0])" | Should -Match "'bad'"
        }

        It 'refuses a last axis that is not a multiple of 32' {
            $sinks = Get-SafetensorsHeader $sharded -Name 'model.layers.0.self_attn.sinks'
            $sinks | ConvertTo-Mxfp4 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'NotBlockAligned,Mxfp4.PowerShell.Commands.ConvertToMxfp4Command'
            $err[0].TargetObject | Should -Be 'model.layers.0.self_attn.sinks'
        }

        It 'refuses a tensor that is not F32, BF16 or F16' {
            $u8 = Get-SafetensorsHeader $sharded -Name 'model.layers.0.mlp.experts.down_proj_scales'
            { $u8 | ConvertTo-Mxfp4 -ErrorAction Stop } |
                Should -Throw -ErrorId 'UnsupportedDType,Mxfp4.PowerShell.Commands.ConvertToMxfp4Command'
        }

        It 'writes the pairs to -OutFile, refuses to overwrite without -Force, and -WhatIf writes nothing' {
            $out = Join-Path $TestDrive 'pairs.safetensors'
            $tensors = Get-SafetensorsHeader $sharded -Name 'model.layers.0.self_attn.*_proj.weight'
            $tensors | ConvertTo-Mxfp4 -OutFile $out -WhatIf
            Test-Path $out | Should -BeFalse
            $file = $tensors | ConvertTo-Mxfp4 -OutFile $out -PassThru
            $file.FullName | Should -Be $out
            $written = Get-SafetensorsHeader $out
            $written | Should -HaveCount 8
            $pair = Get-Mxfp4Tensor $out -Name 'model.layers.0.self_attn.q_proj.weight'
            ($pair.Shape -join ',') | Should -Be '64,64'
            $inMemory = $tensors[0] | ConvertTo-Mxfp4
            $stored = Get-SafetensorsHeader $out -Name ($inMemory.BlocksName)
            [System.Linq.Enumerable]::SequenceEqual([byte[]](Get-TensorBytes $stored), $inMemory.Blocks) | Should -BeTrue
            { $tensors | ConvertTo-Mxfp4 -OutFile $out -ErrorAction Stop } |
                Should -Throw -ErrorId 'OutputExists,Mxfp4.PowerShell.Commands.ConvertToMxfp4Command'
            $tensors | ConvertTo-Mxfp4 -OutFile $out -Force
            Get-ChildItem $TestDrive -Filter '*.mxfp4-partial' -Force | Should -BeNullOrEmpty
        }
    }

    Context 'whole checkpoints' {
        BeforeAll {
            $dense = Join-Path $TestDrive 'dense'
            ConvertFrom-Mxfp4 -Path $sharded -Destination $dense -Layout Transformers -Format BF16
            $back = Join-Path $TestDrive 'back'
            $files = ConvertTo-Mxfp4 -Path $dense -Destination $back -Layout Transformers -PassThru
        }

        It 'returns the original checkpoint''s blocks and scales byte for byte from its Transformers-layout BF16 conversion' {
            # Byte equality, not only value equality, is what the rule promises here: every block of the sample has a
            # largest nibble magnitude of 4 or 6 (checked below), and such blocks are fixed points of encode(decode(b)).
            $files.Name | Should -Contain 'model.safetensors.index.json'
            $originalPairs = Get-Mxfp4Tensor $sharded
            $backPairs = Get-Mxfp4Tensor $back
            ($backPairs.Name -join ',') | Should -Be ($originalPairs.Name -join ',')
            foreach ($o in $originalPairs) {
                $b = $backPairs | Where-Object Name -eq $o.Name
                $b.Blocks.Name | Should -Be $o.Blocks.Name
                ($b.Blocks.Shape -join ',') | Should -Be ($o.Blocks.Shape -join ',')
                ($b.Scales.Shape -join ',') | Should -Be ($o.Scales.Shape -join ',')
                $ob = Get-TensorBytes $o.Blocks
                for ($g = 0; $g -lt $ob.Length / 16; $g++) {
                    $largest = 0
                    for ($k = 16 * $g; $k -lt 16 * $g + 16; $k++) { $largest = [math]::Max($largest, [math]::Max($ob[$k] -band 7,
                        ($ob[$k] -shr 4) -band 7)) }
                    $largest | Should -BeGreaterOrEqual 6
                }
                [System.Linq.Enumerable]::SequenceEqual([byte[]](Get-TensorBytes $b.Blocks), [byte[]]$ob) |
                    Should -BeTrue -Because "$($o.Name) blocks"
                [System.Linq.Enumerable]::SequenceEqual([byte[]](Get-TensorBytes $b.Scales), [byte[]](Get-TensorBytes $o.Scales)) |
                    Should -BeTrue -Because "$($o.Name) scales"
            }
        }

        It 'keeps the values of blocks that are not fixed points, with a smaller scale' {
            # Largest magnitude 1.5 at scale 2^0: encoded at 2^-2 (1.5 = 6 * 2^-2) with the same values.
            $path = Join-Path $TestDrive 'small.safetensors'
            New-F32File $path 'w' ([float[]](@(0.5, -1.5, 1.0, 0.0) * 8)) @(32)
            $r = Get-SafetensorsHeader $path | ConvertTo-Mxfp4
            $r.Scales[0] | Should -Be 125
            $r.MaxAbsError | Should -Be 0
            $bits = Get-ReferenceBits $r.Blocks $r.Scales
            ($bits | ForEach-Object { [System.BitConverter]::UInt32BitsToSingle($_) }) -join ',' |
                Should -Be ((@(0.5, -1.5, 1, 0) * 8) -join ',')
        }

        It 'copies the other tensors byte for byte and adds quantization_config to config.json' {
            $copied = Get-SafetensorsHeader $back -Name 'model.layers.1.self_attn.q_proj.weight'
            $source = Get-SafetensorsHeader $sharded -Name 'model.layers.1.self_attn.q_proj.weight'
            [System.Linq.Enumerable]::SequenceEqual([byte[]](Get-TensorBytes $copied), [byte[]](Get-TensorBytes $source)) | Should -BeTrue
            $config = Get-Content (Join-Path $back 'config.json') -Raw | ConvertFrom-Json
            $config.quantization_config.quant_method | Should -Be 'mxfp4'
            $config.quantization_config.modules_to_not_convert | Should -Contain 'model.layers.*.self_attn'
            $index = Get-Content (Join-Path $back 'model.safetensors.index.json') -Raw | ConvertFrom-Json
            $index.weight_map.'model.layers.0.mlp.experts.gate_up_proj_blocks' | Should -Not -BeNullOrEmpty
            $index.weight_map.'model.layers.0.mlp.experts.gate_up_proj' | Should -BeNullOrEmpty
        }

        It 'round-trips the original-naming sample with -NamingStyle Original' {
            $natural = Join-Path $TestDrive 'natural'
            ConvertFrom-Mxfp4 -Path $original -Destination $natural -Format BF16
            $again = Join-Path $TestDrive 'again'
            ConvertTo-Mxfp4 -Path $natural -Destination $again -NamingStyle Original
            $pairs = Get-Mxfp4Tensor $again
            $pairs | Should -HaveCount 4
            $pairs[0].Blocks.Name | Should -BeLike '*.mlp.mlp*_weight.blocks'
            foreach ($o in Get-Mxfp4Tensor $original) {
                $b = $pairs | Where-Object Name -eq $o.Name
                $ov = Get-ReferenceBits (Get-TensorBytes $o.Blocks) (Get-TensorBytes $o.Scales)
                $bv = Get-ReferenceBits (Get-TensorBytes $b.Blocks) (Get-TensorBytes $b.Scales)
                [System.Linq.Enumerable]::SequenceEqual($ov, $bv) | Should -BeTrue -Because "$($o.Name) keeps its values"
            }
        }

        It 'quantizes what -Name selects and refuses a tensor it cannot encode before writing anything' {
            $some = Join-Path $TestDrive 'some'
            ConvertTo-Mxfp4 -Path $dense -Destination $some -Name '*.self_attn.q_proj.weight'
            (Get-Mxfp4Tensor $some).Name | Sort-Object |
                Should -Be @('model.layers.0.self_attn.q_proj.weight', 'model.layers.1.self_attn.q_proj.weight')
            $refused = Join-Path $TestDrive 'refused'
            ConvertTo-Mxfp4 -Path $dense -Destination $refused -Name '*.sinks' -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'NotBlockAligned,Mxfp4.PowerShell.Commands.ConvertToMxfp4Command'
            Test-Path $refused | Should -BeFalse
            $none = Join-Path $TestDrive 'none'
            ConvertTo-Mxfp4 -Path $sharded -Destination $none -WarningVariable warned -WarningAction SilentlyContinue
            "$warned" | Should -Match 'no gpt-oss expert weights'
            (Get-Mxfp4Tensor $none).Name | Should -Be (Get-Mxfp4Tensor $sharded).Name
        }

        It 'supports -WhatIf and refuses a non-empty destination without -Force' {
            $whatIf = Join-Path $TestDrive 'whatif'
            ConvertTo-Mxfp4 -Path $dense -Destination $whatIf -WhatIf
            Test-Path $whatIf | Should -BeFalse
            { ConvertTo-Mxfp4 -Path $dense -Destination $back -ErrorAction Stop } |
                Should -Throw -ErrorId 'OutputExists,Mxfp4.PowerShell.Commands.ConvertToMxfp4Command'
            ConvertTo-Mxfp4 -Path $dense -Destination $back -Layout Transformers -Force
            Get-ChildItem $back -Force | Where-Object Name -like '*.mxfp4-partial' | Should -BeNullOrEmpty
        }
    }

    Context '-OutFile as users meet it' {
        BeforeAll {
            $cmdlet = 'Mxfp4.PowerShell.Commands.ConvertToMxfp4Command'
            $f32 = Join-Path $TestDrive 'input.safetensors'
            New-F32File $f32 'w' ([float[]](1..64)) @(2, 32)
        }

        It 'refuses an -OutFile that reaches the input file through a linked directory, even with -Force' {
            $link = Join-Path $TestDrive 'linkdir'
            New-Item -ItemType SymbolicLink -Path $link -Target $TestDrive | Out-Null
            $before = [Convert]::ToHexString([System.IO.File]::ReadAllBytes($f32))
            { Get-SafetensorsHeader $f32 | ConvertTo-Mxfp4 -OutFile (Join-Path $link 'input.safetensors') -Force } |
                Should -Throw -ErrorId "OutputIsInput,$cmdlet"
            [Convert]::ToHexString([System.IO.File]::ReadAllBytes($f32)) | Should -Be $before
        }

        It 'leaves an existing file alone when no tensor arrives (the command before it failed)' {
            $out = Join-Path $TestDrive 'kept.safetensors'
            Set-Content $out 'keep me' -NoNewline
            Get-SafetensorsHeader (Join-Path $TestDrive 'no-such-file.safetensors') -ErrorAction SilentlyContinue |
                ConvertTo-Mxfp4 -OutFile $out -Force -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.FullyQualifiedErrorId | Should -Contain "OutFileNotWritten,$cmdlet"
            Get-Content $out -Raw | Should -Be 'keep me'
        }

        It 'returns the written file as the FileSystem provider gives it with -PassThru' {
            $out = Join-Path $TestDrive 'passthru.safetensors'
            $item = Get-SafetensorsHeader $f32 | ConvertTo-Mxfp4 -OutFile $out -PassThru
            $item.PSProvider.Name | Should -Be 'FileSystem'
            $item.PSPath | Should -Be (Get-Item $out).PSPath
            (Get-SafetensorsHeader $out).Name | Should -Be @('w_blocks', 'w_scales')
        }

        It 'refuses a NUL in -OutFile at binding' {
            { Get-SafetensorsHeader $f32 | ConvertTo-Mxfp4 -OutFile "bad`0name" } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }
    }
}
